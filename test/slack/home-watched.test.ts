import { describe, expect, it } from 'vitest';
import { HOME_MORE, HOME_WATCHED_UNKNOWN } from '../../src/slack/blocks/home.js';
import type { NewExpiry } from '../../src/store/expiry-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { watchFrom } from '../helpers/channel-commands.js';
import { DATABASES } from '../helpers/databases.js';
import {
  choice,
  chooseOnHome,
  expiryBlocks,
  openHome as openHomeOf,
  publishes as publishesOf,
} from '../helpers/home-tab.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ALICE = { id: 'U1', name: 'alice' };
const BOB = { id: 'U2', name: 'bob' };

const fakes = fakesPerFile();
const { slack, ld } = fakes;

describe.each(DATABASES)('the Home tab with watched environments, on %s', (_name, url) => {
  const ctx = botPerTest(fakes, { databaseUrl: url });

  /** An expiry set in LaunchDarkly's UI. */
  const outside = (contextKey: string, at: number) =>
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey,
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: at,
    });
  async function command(text: string, channel = 'C7', user = ALICE) {
    await postSigned(
      ctx.bot.url,
      commandBody({
        text,
        user_id: user.id,
        user_name: user.name,
        channel_id: channel,
        channel_name: channel,
        response_url: slack.responseUrl(),
      }),
    );
  }
  /** Runs `/expire <text>` in C1 and waits until the bot has recorded an expiry. */
  async function schedule(text: string) {
    await command(text, 'C1');
    const recorded = async () =>
      (await ctx.bot.store.upcoming(ctx.clock, { limit: 1, offset: 0 })).items.length > 0;
    for (let i = 0; i < 300 && !(await recorded()); i++) await new Promise((r) => setTimeout(r, 10));
  }
  /** C7 watches production (its first scan mirrors what LaunchDarkly holds). */
  const watchFromC7 = () => watchFrom(slack, ctx.bot.url, 'C7');
  const openHome = (user = ALICE) => openHomeOf(slack, ctx.bot.url, user.id);
  const publishes = (user = ALICE) => publishesOf(slack, user.id);
  const firstLines = (view: any) => expiryBlocks(view).map((b: any) => b.text.text.split('\n')[0]);

  it('a member of a watching channel sees that environment’s expiries merged with theirs; a non-member does not', async () => {
    outside('sandy', ctx.clock + 5 * HOUR);
    outside('eve', ctx.clock + 1 * HOUR);
    await watchFromC7();
    await schedule('flag new-checkout bob in 3 hours');
    slack.memberships.set('U1', ['C1', 'C7']);
    slack.memberships.set('U2', ['C1']);

    expect(firstLines(await openHome())).toEqual([
      '`eve` on flag *new-checkout* in `production`',
      '`bob` (on) on flag *new-checkout* in `production`',
      '`sandy` on flag *new-checkout* in `production`',
    ]);
    const asked = slack.callsTo('users.conversations').at(-1)!.args;
    expect(asked).toMatchObject({ user: 'U1', types: 'public_channel,private_channel' });
    expect(firstLines(await openHome(BOB))).toEqual([]);
  });

  it('pages through users.conversations; with 1,000 expiries (500 theirs, 500 watched) it shows 50 within 100 blocks', async () => {
    const watches = new WatchStore(ctx.database.db);
    await watches.add({
      channelId: 'G900',
      projectKey: PROJECT,
      environmentKey: 'staging',
      createdBy: 'U9',
      createdAt: ctx.clock,
    });
    // Alice is in 450 channels the bot shares with her, the watching one last: three pages.
    slack.memberships.set('U1', [...Array.from({ length: 449 }, (_, i) => `C${1_000 + i}`), 'G900']);
    const own: NewExpiry[] = Array.from({ length: 500 }, (_, i) => ({
      resource: { kind: 'flag', projectKey: PROJECT, key: `flag-${i % 37}`, environmentKey: 'production' },
      target: { contextKind: 'user', key: `own-${i}` },
      expiresAt: ctx.clock + (2 * i + 2) * MIN,
      variationName: 'on',
      requestedBy: 'U1',
      channelId: 'C1',
      messageTs: '1.1',
    }));
    await ctx.bot.store.upsert(own, ctx.clock);
    await new MirrorStore(ctx.database.db).replaceResource(
      { kind: 'flag', projectKey: PROJECT, key: 'watched-flag', environmentKey: 'staging' },
      'Watched flag',
      Array.from({ length: 500 }, (_, i) => ({
        target: { contextKind: 'user', key: `watched-${i}` },
        expiresAt: ctx.clock + (2 * i + 1) * MIN,
      })),
      1,
      ctx.clock,
    );
    const view = await openHome();
    expect(slack.callsTo('users.conversations')).toHaveLength(3);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const lines = firstLines(view);
    expect(lines).toHaveLength(50);
    expect(lines.slice(0, 3)).toEqual([
      '`watched-0` on flag *watched-flag* in `staging`',
      '`own-0` (on) on flag *flag-0* in `production`',
      '`watched-1` on flag *watched-flag* in `staging`',
    ]);
    expect(view.blocks.map((b: any) => b.elements?.[0]?.text)).toContain(HOME_MORE(50, 1_000));
  });

  it('Remove now from Home on a watched expiry: the same change, and the tab is published again without it', async () => {
    outside('sandy', ctx.clock + 5 * HOUR);
    ld.flagTargets(PROJECT, 'new-checkout', 'production')
      .find((t) => t.variation === 0 && t.contextKind === 'user')!
      .values.push('sandy');
    await watchFromC7();
    slack.memberships.set('U1', ['C7']);
    const [item] = expiryBlocks(await openHome());
    const count = publishes();
    const click = await chooseOnHome(slack, ctx.bot.url, ALICE, choice(item, 'revoke'));
    expect(click.status).toBe(200);
    await slack.waitFor(() => publishes() > count || undefined);
    expect(expiryBlocks(slack.homes.get('U1'))).toEqual([]);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values)).not.toContain(
      'sandy',
    );
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(ld.patches().at(-1)!.body.comment).toContain('by @alice (U1)');
  });

  it('users.conversations failing: the person’s own expiries and one line saying watched environments could not be listed', async () => {
    outside('sandy', ctx.clock + 5 * HOUR);
    await watchFromC7();
    await schedule('flag new-checkout bob in 3 hours');
    slack.memberships.set('U1', ['C7']);
    slack.failNext('users.conversations', 'internal_error');
    const view = await openHome();
    expect(firstLines(view)).toEqual(['`bob` (on) on flag *new-checkout* in `production`']);
    const notices = view.blocks.filter((b: any) => b.elements?.[0]?.text === HOME_WATCHED_UNKNOWN);
    expect(notices).toHaveLength(1);
    // Next time it works again.
    expect(firstLines(await openHome())).toHaveLength(2);
  });
});
