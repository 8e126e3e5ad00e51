import { describe, expect, it } from 'vitest';
import { USAGE } from '../../src/slack/blocks/help.js';
import { HOME_EMPTY, HOME_MORE, HOME_STALE } from '../../src/slack/blocks/home.js';
import { VIEWS } from '../../src/slack/ids.js';
import type { NewExpiry } from '../../src/store/expiry-store.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import {
  choice,
  chooseOnHome,
  expiryBlocks,
  openHome as openHomeOf,
  publishes as publishesOf,
} from '../helpers/home-tab.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import {
  commandBody,
  homeOpened,
  postSigned,
  postSignedJson,
  SIGNING_SECRET,
  submitExtendForm,
} from '../helpers/slack-requests.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ALICE = { id: 'U1', name: 'alice' };

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });

const known = async () => (await ctx.bot.store.upcoming(ctx.clock, { limit: 2_000, offset: 0 })).items;

/** Runs `/expire <text>` as `user` and waits until its expiries are recorded. */
async function schedule(text: string, user = ALICE): Promise<void> {
  const before = (await known()).length;
  await postSigned(
    ctx.bot.url,
    commandBody({ text, user_id: user.id, user_name: user.name, response_url: slack.responseUrl() }),
  );
  for (let i = 0; i < 300 && (await known()).length === before; i++)
    await new Promise((r) => setTimeout(r, 10));
}

const openHome = (user = ALICE) => openHomeOf(slack, ctx.bot.url, user.id);

/** Waits for the Home tab to be published again for `user` after `count` publishes. */
async function republished(count: number, user = ALICE): Promise<any> {
  await slack.waitFor(
    () =>
      slack.callsTo('views.publish').filter((c) => c.args.user_id === user.id).length > count || undefined,
  );
  return slack.homes.get(user.id);
}

const publishes = (user = ALICE) => publishesOf(slack, user.id);

const choose = (value: string, user = ALICE) => chooseOnHome(slack, ctx.bot.url, user, value);

describe('the Home tab', () => {
  it('is published for the person who opened it: their expiries soonest first, with the menu and the how-to', async () => {
    await schedule('flag new-checkout sandy in 2 days');
    await schedule('segment beta-testers organization:acme in 3 hours');
    await schedule('flag new-checkout bob in 1 hour', { id: 'U2', name: 'bob' });

    const view = await openHome();
    expect(view.type).toBe('home');
    const calls = slack.callsTo('views.publish');
    expect(calls.map((c) => c.args.user_id)).toEqual(['U1']);
    const items = expiryBlocks(view);
    expect(items.map((b: any) => b.text.text.split('\n')[0])).toEqual([
      '`organization:acme` (included) on segment *beta-testers* in `production`',
      '`sandy` (on) on flag *new-checkout* in `production`',
    ]);
    expect(items[0].text.text).toContain(`<!date^${(ctx.clock + 3 * HOUR) / 1000}^`);
    expect(items[0].text.text).toContain('(in 3 hours)');
    expect(items[0].accessory.options.map((o: any) => o.text.text)).toEqual([
      'Extend…',
      'Cancel expiry',
      'Remove now',
    ]);
    expect(items[0].accessory.confirm).toBeDefined();
    expect(JSON.stringify(view.blocks)).toContain(JSON.stringify(USAGE).slice(1, -1));

    // Bob sees only his.
    const bobs = await openHome({ id: 'U2', name: 'bob' });
    expect(expiryBlocks(bobs).map((b: any) => b.text.text.split('\n')[0])).toEqual([
      '`bob` (on) on flag *new-checkout* in `production`',
    ]);
  });

  it('says there is nothing, with the how-to, for someone with no expiries; the Messages tab publishes nothing', async () => {
    const view = await openHome();
    expect(view.blocks.map((b: any) => b.text?.text)).toContain(HOME_EMPTY);
    const before = slack.callsTo('views.publish').length;
    const res = await postSignedJson(ctx.bot.url, homeOpened('U1', 'messages'));
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.callsTo('views.publish')).toHaveLength(before);
  });

  it('with 1,000 expiries: the 50 soonest, a count and a pointer to /expire list, within 100 blocks', async () => {
    const expiries: NewExpiry[] = Array.from({ length: 1_000 }, (_, i) => ({
      resource: { kind: 'flag', projectKey: PROJECT, key: `flag-${i % 37}`, environmentKey: 'production' },
      target: { contextKind: 'user', key: `user-${i}` },
      expiresAt: ctx.clock + (1_000 - i) * MIN,
      variationName: 'on',
      requestedBy: 'U1',
      channelId: 'C1',
      messageTs: '1.1',
    }));
    await ctx.bot.store.upsert(expiries, ctx.clock);
    const view = await openHome();
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const items = expiryBlocks(view);
    expect(items).toHaveLength(50);
    expect(items[0].text.text).toContain('`user-999`');
    expect(items[49].text.text).toContain('`user-950`');
    expect(view.blocks.map((b: any) => b.elements?.[0]?.text)).toContain(HOME_MORE(50, 1_000));
  });

  it('Cancel expiry from Home: the same change, the target stays, the tab is published again without it', async () => {
    await schedule('flag new-checkout sandy in 2 days');
    const [item] = expiryBlocks(await openHome());
    const count = publishes();
    expect((await choose(choice(item, 'remove'))).status).toBe(200);
    const refreshed = await republished(count);
    expect(expiryBlocks(refreshed)).toEqual([]);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values)).toContain('sandy');
    expect(ld.patches().at(-1)!.body.comment).toContain('by @alice (U1)');
    expect(await known()).toEqual([]);
  });

  it('Remove now from Home takes the target out and refreshes the tab', async () => {
    await schedule('flag new-checkout sandy in 2 days');
    const [item] = expiryBlocks(await openHome());
    const count = publishes();
    await choose(choice(item, 'revoke'));
    expect(expiryBlocks(await republished(count))).toEqual([]);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values)).not.toContain(
      'sandy',
    );
  });

  it('Extend from Home opens the form; its submission moves the expiry and refreshes the tab', async () => {
    await schedule('flag new-checkout sandy in 2 days');
    const [item] = expiryBlocks(await openHome());
    await choose(choice(item, 'extend'));
    const view = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    expect(view.callback_id).toBe(VIEWS.extend);
    const count = publishes();
    const submit = await submitExtendForm(ctx.bot.url, { user: ALICE, view, when: 'in 5 days' });
    expect(submit.status).toBe(200);
    expect(submit.body).toBe('');
    const refreshed = await republished(count);
    const newAt = ctx.clock + 5 * 24 * HOUR;
    expect(expiryBlocks(refreshed)[0].text.text).toContain(`<!date^${newAt / 1000}^`);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')[0]!.expirationDate).toBe(newAt);
  });

  it('a choice gone stale (changed meanwhile) is told by DM and the tab shows what is', async () => {
    await schedule('flag new-checkout sandy in 2 days');
    const [item] = expiryBlocks(await openHome());
    await postSigned(
      ctx.bot.url,
      commandBody({ text: 'update flag new-checkout sandy in 3 days', response_url: slack.responseUrl() }),
    );
    for (let i = 0; i < 300 && (await known())[0]?.expiresAt !== ctx.clock + 3 * 24 * HOUR; i++)
      await new Promise((r) => setTimeout(r, 10));
    const count = publishes();
    await choose(choice(item, 'revoke'));
    const refreshed = await republished(count);
    expect(expiryBlocks(refreshed)[0].text.text).toContain(`<!date^${(ctx.clock + 3 * 24 * HOUR) / 1000}^`);
    const dm = await slack.waitFor(() => slack.messages.find((m) => m.channel === 'U1'));
    expect(dm.text).toBe(HOME_STALE);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values)).toContain('sandy');
  });
});

describe('Events API requests', () => {
  it('are verified like every other Slack request: unsigned or wrongly signed gets 401 and publishes nothing', async () => {
    const unsigned = await postSignedJson(ctx.bot.url, homeOpened('U1'), { signature: 'v0=deadbeef' });
    expect(unsigned.status).toBe(401);
    const wrong = await postSignedJson(ctx.bot.url, homeOpened('U1'), { secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.callsTo('views.publish')).toEqual([]);
  });

  it('answer url_verification with the challenge when signed, and 401 when not', async () => {
    const body = JSON.stringify({ token: 't', challenge: 'c-3f9a8b', type: 'url_verification' });
    const signed = await postSignedJson(ctx.bot.url, body, { secret: SIGNING_SECRET });
    expect(signed.status).toBe(200);
    expect(signed.json()).toEqual({ challenge: 'c-3f9a8b' });
    const forged = await postSignedJson(ctx.bot.url, body, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
  });
});
