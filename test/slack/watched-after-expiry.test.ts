import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runAfterExpiryPass } from '../../src/passes/after-expiry.js';
import { runWatchedAfterExpiryPass } from '../../src/passes/watched-after-expiry.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchedPassedStore } from '../../src/store/watched-passed-store.js';
import { botPerTest, fakesPerFile, syncWatches, T0 } from '../helpers/bot-per-test.js';
import { expireIn, watchFrom } from '../helpers/channel-commands.js';
import { DATABASES } from '../helpers/databases.js';
import { FAKE_BOT_TOKEN, type PostedMessage } from '../helpers/fake-slack.js';
import { FLAG, PROJECT } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';
import { clickButton } from '../helpers/slack-requests.js';

const MIN = 60_000;
const H = 60 * MIN;
const BOB = { id: 'U2', name: 'bob' };

const fakes = fakesPerFile();
const { slack, ld } = fakes;

describe.each(DATABASES)('after a watched expiry, on %s', (_name, url) => {
  const ctx = botPerTest(fakes, { databaseUrl: url });

  const client = () => new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, maxRetries: 0 });
  const on = () => ld.variationId(PROJECT, 'new-checkout', 0);
  /** An expiry set in LaunchDarkly's UI, on a target individually served `on`. */
  function outside(contextKey: string, at: number) {
    ld.flagTargets(PROJECT, 'new-checkout', 'production')
      .find((t) => t.variation === 0 && t.contextKind === 'user')!
      .values.push(contextKey);
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey,
      variationId: on(),
      expirationDate: at,
    });
  }
  const target = (contextKey: string) => ({ contextKind: 'user', contextKey });

  /** The after-expiry job as main.ts runs it, from a named replica: the bot's own, then watched ones. */
  async function pass(owner = 'replica-1') {
    const deps = {
      ld: client(),
      slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl }),
      logger: silent,
      owner,
    };
    await runAfterExpiryPass({ now: ctx.clock, deps: { ...deps, store: new ExpiryStore(ctx.database.db) } });
    return runWatchedAfterExpiryPass({
      now: ctx.clock,
      deps: {
        ...deps,
        passed: new WatchedPassedStore(ctx.database.db),
        mirror: new MirrorStore(ctx.database.db),
      },
    });
  }
  const sync = () => syncWatches(ctx, client());
  /** LaunchDarkly carries out what is due, and its audit log says so (the sync then re-reads it). */
  async function expireInLaunchDarkly() {
    ld.runExpiries();
    ld.audit('flag', PROJECT, 'new-checkout', 'production', 'updateTargets');
    await sync();
  }

  const expire = (text: string, channel = 'C1') => expireIn(slack, ctx.bot.url, text, channel);
  const watch = (channel: string) => watchFrom(slack, ctx.bot.url, channel);
  const textOf = (m: PostedMessage) => (m.blocks ?? []).map((b: any) => b.text?.text ?? '').join('\n');
  const afterExpiry = (m: PostedMessage) => /as scheduled|still there/.test(m.text ?? '');
  const told = (channel: string) => slack.messages.filter((m) => m.channel === channel && afterExpiry(m));
  const mirrored = async () =>
    (await new MirrorStore(ctx.database.db).ofResource(FLAG)).map((e) => e.target.key).sort();

  it('says once in every watching channel who was removed as scheduled, and nowhere else; then forgets it', async () => {
    const at = T0 + 2 * H;
    outside('sandy', at);
    outside('bob', at);
    await watch('C1');
    await watch('C2');
    ctx.clock += MIN;
    await sync();

    ctx.clock = at - 1_000;
    expect((await pass()).passed).toBe(0);
    ctx.clock = at + 5_000;
    await expireInLaunchDarkly();
    // The sync read the flag after LaunchDarkly carried the expiries out: the mirror keeps them.
    expect(await mirrored()).toEqual(['bob', 'sandy']);
    const stats = await pass();
    expect(stats).toMatchObject({ passed: 4, removed: 4, stillThere: 0, posted: 2, ldReads: 1 });
    for (const channel of ['C1', 'C2']) {
      const said = told(channel);
      expect(said).toHaveLength(1);
      expect(said[0]!.thread_ts).toBeUndefined();
      expect(textOf(said[0]!)).toBe(
        `:white_check_mark: \`bob\` and \`sandy\` were removed from *new-checkout* (\`production\`) at <!date^${at / 1000}^{time}|2030-01-10 20:00 UTC> as scheduled.`,
      );
    }
    expect(
      slack.messages
        .filter(afterExpiry)
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['C1', 'C2']);
    expect(await mirrored()).toEqual([]);

    // A second replica, a second pass, a restart: nothing more.
    expect((await pass('replica-2')).passed).toBe(0);
    await ctx.restart();
    ctx.clock += 10 * MIN;
    await sync();
    expect((await pass('replica-after-restart')).passed).toBe(0);
    expect(told('C1')).toHaveLength(1);
    expect(told('C2')).toHaveLength(1);
  });

  it('names a target still individually targeted; its Remove now takes it out as the clicker, answered in the thread', async () => {
    const at = T0 + 2 * H;
    outside('sandy', at);
    outside('bob', at);
    await watch('C1');
    ctx.clock = at + 5_000;
    await expireInLaunchDarkly();
    // Someone added bob back by hand.
    ld.flagTargets(PROJECT, 'new-checkout', 'production')
      .find((t) => t.variation === 0 && t.contextKind === 'user')!
      .values.push('bob');
    expect(await pass()).toMatchObject({ removed: 1, stillThere: 1, posted: 1 });
    const [said] = told('C1');
    expect(textOf(said!)).toContain('`sandy` was removed from *new-checkout* (`production`)');
    expect(textOf(said!)).toContain(
      ':warning: `bob` is still individually targeted on *new-checkout* (`production`).',
    );
    const button = said!.blocks![1].accessory;
    expect(button).toMatchObject({ action_id: ACTIONS.passedRemoveNow, text: { text: 'Remove now' } });

    const click = await clickButton(ctx.bot.url, {
      user: BOB,
      actionId: ACTIONS.passedRemoveNow,
      value: button.value,
      channel: 'C1',
      messageTs: said!.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    expect(click.status).toBe(200);
    const answer = await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === said!.ts));
    expect(answer.channel).toBe('C1');
    expect(answer.text).toBe('bob: removed now.');
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values)).not.toContain(
      'bob',
    );
    expect(ld.patches().at(-1)!.body.comment).toContain('by @bob (U2)');
  });

  it('an expiry cancelled or moved in LaunchDarkly before its time gets no message', async () => {
    const at = T0 + 2 * H;
    outside('sandy', at);
    outside('bob', at);
    await watch('C1');
    ctx.clock = at - 30 * MIN;
    ld.removeExpiring('flag', PROJECT, 'new-checkout', 'production', target('sandy'));
    ld.moveExpiring('flag', PROJECT, 'new-checkout', 'production', target('bob'), at + 3 * H);
    ctx.clock += MIN;
    await sync();
    ctx.clock = at + 5_000;
    await expireInLaunchDarkly();
    expect(await pass()).toMatchObject({ passed: 0, posted: 0 });
    expect(told('C1')).toEqual([]);
    expect(await mirrored()).toEqual(['bob']);

    // Moved, and not yet synced when its first instant passed: followed, still nothing said.
    outside('eve', at + 10_000);
    await sync();
    ld.moveExpiring('flag', PROJECT, 'new-checkout', 'production', target('eve'), at + 4 * H);
    ctx.clock = at + 20_000;
    expect(await pass()).toMatchObject({ passed: 1, moved: 1, posted: 0 });
    expect(told('C1')).toEqual([]);
    expect(await mirrored()).toEqual(['bob', 'eve']);
  });

  it('LaunchDarkly down at the moment: nothing guessed, retried next pass, then posted once', async () => {
    const at = T0 + 2 * H;
    outside('sandy', at);
    await watch('C1');
    ctx.clock = at + 5_000;
    await expireInLaunchDarkly();
    ld.fail({ match: (r) => r.method === 'GET', status: 503, times: 3 });
    expect(await pass()).toMatchObject({ failed: 1, posted: 0 });
    expect(told('C1')).toEqual([]);
    expect(await mirrored()).toEqual(['sandy']);

    ctx.clock += MIN;
    const again = await passUntilPosted();
    expect(again).toMatchObject({ removed: 1, posted: 1 });
    expect(told('C1')).toHaveLength(1);
    expect((await pass('replica-2')).passed).toBe(0);
    expect(told('C1')).toHaveLength(1);
  });

  /** Passes until one posts (the queued LaunchDarkly faults are used up by failed passes). */
  async function passUntilPosted() {
    for (let i = 0; i < 20; i++) {
      const stats = await pass();
      if (stats.posted > 0) return stats;
      ctx.clock += MIN;
    }
    throw new Error('never posted');
  }

  it('an expiry scheduled through the bot in the watching channel is told in its thread only', async () => {
    await watch('C1');
    await watch('C2');
    await expire('flag new-checkout sandy in 2 hours', 'C1');
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.startsWith('Scheduled 1 of 1')),
    );
    for (let i = 0; i < 200; i++) {
      const known = await ctx.bot.store.upcoming(ctx.clock, { limit: 10, offset: 0 });
      if (known.items[0]?.messageTs) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    ctx.clock += MIN;
    await sync();
    expect(await mirrored()).toEqual(['sandy']);
    ctx.clock = T0 + 2 * H + 5_000;
    await expireInLaunchDarkly();
    const stats = await pass();
    expect(stats).toMatchObject({ passed: 1, posted: 1 });
    // C1 heard in the thread of its result; C2 (which watches, but did not schedule it) in the channel.
    const inThread = slack.messages.filter((m) => m.thread_ts === result.ts);
    expect(inThread.map(textOf)).toEqual([
      expect.stringContaining('`sandy` was removed from *new-checkout*'),
    ]);
    expect(told('C1').filter((m) => !m.thread_ts)).toEqual([]);
    expect(told('C2')).toHaveLength(1);
    expect(await mirrored()).toEqual([]);
    expect((await pass('replica-2')).passed).toBe(0);
    expect(told('C1')).toHaveLength(1);
  });
});
