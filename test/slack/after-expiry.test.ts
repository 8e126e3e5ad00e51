import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runAfterExpiryPass } from '../../src/passes/after-expiry.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { scheduleIn } from '../helpers/channel-commands.js';
import { DATABASES } from '../helpers/databases.js';
import { FAKE_BOT_TOKEN, type PostedMessage } from '../helpers/fake-slack.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';
import { clickButton, commandBody, postSigned } from '../helpers/slack-requests.js';

const MIN = 60_000;
const BOB = { id: 'U2', name: 'bob' };

const fakes = fakesPerFile();
const { slack, ld } = fakes;

describe.each(DATABASES)('after an expiry, on %s', (_name, url) => {
  const ctx = botPerTest(fakes, { databaseUrl: url });

  /** One after-expiry pass, as the scheduler runs it, from a named replica. */
  function pass(owner = 'replica-1') {
    return runAfterExpiryPass({
      now: ctx.clock,
      deps: {
        store: new ExpiryStore(ctx.database.db),
        ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, maxRetries: 0 }),
        slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl }),
        logger: silent,
        owner,
      },
    });
  }

  const schedule = (text: string) => scheduleIn(slack, ctx.bot, ctx.clock, text);

  const thread = (result: PostedMessage) => slack.messages.filter((m) => m.thread_ts === result.ts);
  const textOf = (m: PostedMessage) => (m.blocks ?? []).map((b: any) => b.text?.text ?? '').join('\n');
  const known = async () => (await ctx.bot.store.upcoming(0, { limit: 100, offset: 0 })).items;

  it('says once, in the thread, who was removed as scheduled, at a Slack time; then forgets the expiry', async () => {
    const result = await schedule('flag new-checkout sandy,bob in 3 minutes');
    const at = ctx.clock + 3 * MIN;

    ctx.clock = at - 1_000;
    expect((await pass()).passed).toBe(0);
    ctx.clock = at + 5_000;
    ld.runExpiries();
    const stats = await pass();
    expect(stats).toMatchObject({ passed: 2, removed: 2, stillThere: 0, posted: 1, ldReads: 1 });
    const said = thread(result);
    expect(said).toHaveLength(1);
    expect(said[0]!.channel).toBe('C1');
    expect(textOf(said[0]!)).toBe(
      `:white_check_mark: \`bob\` and \`sandy\` were removed from *new-checkout* (\`production\`) at <!date^${at / 1000}^{time}|2030-01-10 18:03 UTC> as scheduled.`,
    );
    expect(said[0]!.blocks).toHaveLength(1);
    // One read of the flag and its expiring targets (users and contexts), for both targets.
    expect(await known()).toEqual([]);

    // Again, and after a restart: nothing more.
    await ctx.restart();
    ctx.clock += MIN;
    expect((await pass('replica-after-restart')).passed).toBe(0);
    expect(thread(result)).toHaveLength(1);
  });

  it('names a target still individually targeted, and its Remove now takes it out through the same change', async () => {
    const result = await schedule('flag new-checkout sandy,bob in 3 minutes');
    ctx.clock += 3 * MIN + 1_000;
    ld.runExpiries();
    // Someone added bob back by hand.
    ld.flagTargets(PROJECT, 'new-checkout', 'production')
      .find((t) => t.variation === 0 && t.contextKind === 'user')!
      .values.push('bob');
    await pass();
    const [said] = thread(result);
    expect(textOf(said!)).toContain('`sandy` was removed from *new-checkout* (`production`)');
    expect(textOf(said!)).toContain(
      ':warning: `bob` is still individually targeted on *new-checkout* (`production`).',
    );
    const button = said!.blocks![1].accessory;
    expect(button).toMatchObject({
      action_id: ACTIONS.passedRemoveNow,
      text: { text: 'Remove now' },
      style: 'danger',
    });

    const click = await clickButton(ctx.bot.url, {
      user: BOB,
      actionId: ACTIONS.passedRemoveNow,
      value: button.value,
      channel: said!.channel,
      messageTs: said!.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    expect(click.status).toBe(200);
    const done = await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === result.ts && m.text?.includes('removed now')),
    );
    expect(textOf(done)).toContain('`bob` on flag *new-checkout* in `production`: removed now by <@U2>.');
    const targeted = ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values);
    expect(targeted).not.toContain('bob');
    const patch = ld.patches().at(-1)!;
    expect(patch.body.comment).toContain('by @bob (U2)');
  });

  it('names a target still in the segment', async () => {
    const result = await schedule('segment beta-testers organization:acme in 3 minutes');
    ctx.clock += 3 * MIN + 1_000;
    ld.runExpiries();
    ld.segmentMembers(PROJECT, 'production', 'beta-testers', 'included').set(
      'organization',
      new Set(['acme']),
    );
    await pass();
    expect(textOf(thread(result)[0]!)).toBe(
      ':warning: `organization:acme` is still included in segment *beta-testers* (`production`).',
    );
  });

  it('says nothing of an expiry cancelled before its time', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    await postSigned(
      ctx.bot.url,
      commandBody({ text: 'remove flag new-checkout sandy', response_url: slack.responseUrl() }),
    );
    for (let i = 0; i < 200 && (await known()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    ctx.clock += 4 * MIN;
    ld.runExpiries();
    expect((await pass()).passed).toBe(0);
    expect(thread(result)).toEqual([]);
  });

  it('says nothing at the old time of an expiry moved before it, in the bot or in LaunchDarkly, and speaks at the new one', async () => {
    const result = await schedule('flag new-checkout sandy,bob in 3 minutes');
    await postSigned(
      ctx.bot.url,
      commandBody({
        text: 'update flag new-checkout sandy in 10 minutes',
        response_url: slack.responseUrl(),
      }),
    );
    const movedAt = ctx.clock + 10 * MIN;
    for (let i = 0; i < 300 && (await known())[0]?.expiresAt !== movedAt; i++)
      await new Promise((r) => setTimeout(r, 10));
    // bob's moved in LaunchDarkly's UI, unseen by the bot until the instant passes.
    const bobs = ld
      .expiringTargets('flag', PROJECT, 'new-checkout', 'production')
      .find((e) => e.contextKey === 'bob')!;
    bobs.expirationDate = ctx.clock + 20 * MIN;

    ctx.clock += 4 * MIN;
    ld.runExpiries();
    const stats = await pass();
    expect(stats).toMatchObject({ passed: 1, moved: 1, posted: 0 });
    expect(thread(result).filter((m) => m.text?.includes('removed'))).toEqual([]);
    expect((await known()).map((e) => [e.target.key, e.expiresAt])).toEqual([
      ['sandy', ctx.clock - 4 * MIN + 10 * MIN],
      ['bob', ctx.clock - 4 * MIN + 20 * MIN],
    ]);

    ctx.clock += 7 * MIN;
    ld.runExpiries();
    await pass();
    // In the thread of the change that set sandy's last expiry: the update's result.
    const said = slack.messages.filter((m) => m.thread_ts && m.text?.includes('removed'));
    expect(said).toHaveLength(1);
    expect(said[0]!.thread_ts).not.toBe(result.ts);
    expect(textOf(said[0]!)).toContain('`sandy` was removed');
  });

  it('when LaunchDarkly cannot be read, waits and says it once it can', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 3 * MIN + 1_000;
    ld.runExpiries();
    ld.fail({ status: 503, times: 10 });
    const down = await pass();
    expect(down).toMatchObject({ passed: 1, failed: 1, posted: 0 });
    expect(thread(result)).toEqual([]);
    expect(await known()).toHaveLength(1);

    ld.reset();
    ld.now = () => ctx.clock;
    ctx.clock += MIN;
    expect(await pass()).toMatchObject({ passed: 1, posted: 1 });
    ctx.clock += MIN;
    await pass();
    expect(thread(result)).toHaveLength(1);
  });

  it('waits while LaunchDarkly still lists the target at its passed instant (not removed yet)', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 3 * MIN + 1_000;
    expect(await pass()).toMatchObject({ passed: 1, waiting: 1, posted: 0 });
    ld.runExpiries();
    ctx.clock += 10_000;
    expect(await pass()).toMatchObject({ passed: 1, posted: 1 });
    expect(thread(result)).toHaveLength(1);
  });

  it('two replicas passing at once post once', async () => {
    const result = await schedule('flag new-checkout sandy,bob in 3 minutes');
    ctx.clock += 3 * MIN + 1_000;
    ld.runExpiries();
    const [a, b] = await Promise.all([pass('replica-1'), pass('replica-2')]);
    expect(a.posted + b.posted).toBe(1);
    expect(a.passed + b.passed).toBe(2);
    await Promise.all([pass('replica-1'), pass('replica-2')]);
    expect(thread(result)).toHaveLength(1);
  });
});
