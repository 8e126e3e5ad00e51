import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runReminderPass } from '../../src/passes/reminders.js';
import { runWatchReminderPass } from '../../src/passes/watch-reminders.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { botPerTest, fakesPerFile, syncWatches, T0 } from '../helpers/bot-per-test.js';
import { expireIn, watchFrom } from '../helpers/channel-commands.js';
import { sqliteUrl } from '../helpers/databases.js';
import { FAKE_BOT_TOKEN, type PostedMessage } from '../helpers/fake-slack.js';
import { FLAG, PROJECT } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';
import { clickButton, submitExtendForm } from '../helpers/slack-requests.js';

const MIN = 60_000;
const H = 60 * MIN;

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: { REMINDER_LEAD_TIMES: '1h' } });

const client = () => new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token });
const on = (index: number) => ld.variationId(PROJECT, 'new-checkout', index);
const outside = (contextKey: string, at: number, contextKind = 'user', variation = 0) =>
  ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
    contextKind,
    contextKey,
    variationId: on(variation),
    expirationDate: at,
  });

/** The reminder job as main.ts runs it: the bot's own first, then watched environments'. */
async function remind(owner = 'replica-1') {
  const deps = {
    ld: client(),
    slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl }),
    logger: silent,
    leadTimesMs: [H],
    owner,
  };
  await runReminderPass({ now: ctx.clock, deps: { ...deps, store: new ExpiryStore(ctx.database.db) } });
  return runWatchReminderPass({
    now: ctx.clock,
    deps: { ...deps, mirror: new MirrorStore(ctx.database.db) },
  });
}
const sync = () => syncWatches(ctx, client());

const expire = (text: string, channel = 'C1') => expireIn(slack, ctx.bot.url, text, channel);
const watch = (channel: string) => watchFrom(slack, ctx.bot.url, channel);
const textOf = (m: PostedMessage) =>
  [
    m.text,
    ...(m.blocks ?? []).flatMap((b: any) => [b.text?.text, ...(b.elements ?? []).map((e: any) => e.text)]),
  ]
    .filter(Boolean)
    .join('\n');
const watchedReminders = (channel: string) =>
  slack.messages.filter(
    (m) => m.channel === channel && !m.thread_ts && m.text?.includes(' on flag new-checkout expire'),
  );

describe('reminders for a watched environment', () => {
  it('reminds expiries set before the watch and after it, follows moves and removals made outside the bot', async () => {
    outside('sandy', T0 + 3 * H); // before the watch
    outside('acme', T0 + 3 * H, 'organization');
    outside('eve', T0 + 3 * H, 'user', 1);
    const started = await watch('C1');
    expect(started.text).toBe('Following production: 3 expiring targets on 1 flag and 0 segments.');

    ctx.clock += MIN;
    outside('bob', T0 + 3 * H); // after the watch
    expect(await sync()).toMatchObject({ reads: 1 });
    // Outside the bot and not yet synced: acme moved to later, eve's expiry removed.
    ld.moveExpiring(
      'flag',
      PROJECT,
      'new-checkout',
      'production',
      { contextKind: 'organization', contextKey: 'acme' },
      T0 + 5 * H,
    );
    ld.removeExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'eve',
    });

    ctx.clock = T0 + 2 * H - MIN;
    expect((await remind()).due).toBe(0);
    ctx.clock = T0 + 2 * H + 1;
    const stats = await remind();
    expect(stats).toMatchObject({ posted: 2, messages: 1, changed: 1, gone: 1 });
    const [reminder] = watchedReminders('C1');
    expect(reminder!.text).toBe('2 targets on flag new-checkout expire in 60 minutes: bob, sandy');
    expect(textOf(reminder!)).toContain('set by Ariel Flores');
    const buttons = reminder!.blocks!.filter((b: any) => b.type === 'actions');
    expect(buttons).toHaveLength(2);
    expect(buttons[0].elements.map((e: any) => e.action_id)).toEqual([
      ACTIONS.reminderExtend,
      ACTIONS.reminderCancel,
      ACTIONS.reminderRemoveNow,
    ]);

    // Once: again, and from another replica, nothing new.
    expect((await remind('replica-2')).posted).toBe(0);
    expect(watchedReminders('C1')).toHaveLength(1);

    // The moved one at its new time; the removed one never.
    ctx.clock = T0 + 4 * H + 1;
    expect(await remind()).toMatchObject({ posted: 1 });
    expect(watchedReminders('C1').at(-1)!.text).toBe(
      '1 target on flag new-checkout expires in 60 minutes: organization:acme',
    );
    expect(
      watchedReminders('C1')
        .map((m) => m.text)
        .join('\n'),
    ).not.toContain('eve');
  });

  /** Bob clicks `actionId` among the buttons of the `row`-th target of a grouped reminder in C1. */
  async function bobClicks(reminder: PostedMessage, row: number, actionId: string) {
    const buttons = reminder.blocks!.filter((b: any) => b.type === 'actions')[row];
    const button = buttons.elements.find((e: any) => e.action_id === actionId);
    await clickButton(ctx.bot.url, {
      user: { id: 'U2', name: 'bob' },
      actionId,
      value: button.value,
      channel: 'C1',
      messageTs: reminder.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
  }

  /** sandy and bob expire at T0 + 3 h in a watched C1; an hour before, their one grouped reminder. */
  async function groupedReminderOfSandyAndBob(): Promise<PostedMessage> {
    outside('sandy', T0 + 3 * H);
    outside('bob', T0 + 3 * H);
    await watch('C1');
    ctx.clock = T0 + 2 * H + 1;
    await remind();
    const [reminder] = watchedReminders('C1');
    return reminder!;
  }

  it('Cancel expiry on a grouped reminder cancels that target only and says so in the thread', async () => {
    const reminder = await groupedReminderOfSandyAndBob();
    await bobClicks(reminder, 0, ACTIONS.reminderCancel);
    const done = await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === reminder.ts));
    expect(textOf(done)).toContain(
      '`bob` on flag *new-checkout* in `production`: expiry cancelled, the target stays by <@U2>.',
    );
    expect(
      ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production').map((e) => e.contextKey),
    ).toEqual(['sandy']);
    expect((await ctx.bot.mirror.ofResource(FLAG)).map((e) => e.target.key)).toEqual(['sandy']);
  });

  it('Extend on a grouped reminder moves that target in LaunchDarkly and the mirror; it is reminded again at its new time', async () => {
    const reminder = await groupedReminderOfSandyAndBob();
    await bobClicks(reminder, 1, ACTIONS.reminderExtend);
    const view = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    const submit = await submitExtendForm(ctx.bot.url, {
      user: { id: 'U2', name: 'bob' },
      view,
      when: 'in 5 hours',
    });
    expect(submit.status).toBe(200);
    const done = await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === reminder.ts));
    expect(textOf(done)).toContain('`sandy` on flag *new-checkout* in `production`: expiry moved to');
    const newAt = ctx.clock + 5 * H;
    expect(ld.patches().at(-1)!.body.instructions).toEqual([
      expect.objectContaining({ kind: 'updateExpireUserTargetDate', userKey: 'sandy', value: newAt }),
    ]);
    const sandy = (await ctx.bot.mirror.ofResource(FLAG)).find((e) => e.target.key === 'sandy');
    expect(sandy).toMatchObject({ expiresAt: newAt, setBy: '<@U2>' });
    // Extended from this channel, it is now the bot's own here: reminded in the grouped message's
    // thread, not grouped again in the channel.
    ctx.clock = newAt - H + 1;
    await remind();
    const threaded = slack.messages.filter(
      (m) => m.thread_ts === reminder.ts && m.text?.startsWith('Reminder:'),
    );
    expect(threaded.map((m) => m.text)).toEqual([
      expect.stringContaining('Reminder: sandy expires from flag new-checkout'),
    ]);
    expect(watchedReminders('C1')).toHaveLength(1);
  });

  it('an expiry scheduled through the bot from a watching channel is reminded in its thread only; another watching channel gets it grouped', async () => {
    await watch('C1');
    await watch('C2');
    await expire('flag new-checkout bob in 3 hours');
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && !m.thread_ts && m.text?.startsWith('Scheduled')),
    );
    for (
      let i = 0;
      i < 100 && (await ctx.bot.store.upcoming(ctx.clock, { limit: 1, offset: 0 })).total === 0;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    ctx.clock += MIN;
    await sync();
    ctx.clock = T0 + 2 * H + 1;
    await remind();
    expect(slack.messages.filter((m) => m.thread_ts === result.ts)).toHaveLength(1);
    expect(watchedReminders('C1')).toHaveLength(0);
    expect(watchedReminders('C2').map((m) => m.text)).toEqual([
      '1 target on flag new-checkout expires in 60 minutes: bob',
    ]);
  });

  it('a watching channel that refuses the bot: the reminder goes to whoever started the watch, by DM', async () => {
    outside('sandy', T0 + 3 * H);
    await watch('C1');
    slack.notInChannel.add('C1');
    ctx.clock = T0 + 2 * H + 1;
    expect(await remind()).toMatchObject({ posted: 1, messages: 1, failed: 0 });
    expect(slack.messages.filter((m) => m.channel === 'U1').map((m) => m.text)).toEqual([
      '1 target on flag new-checkout expires in 60 minutes: sandy',
    ]);
    slack.notInChannel.delete('C1');
  });

  it('many targets at one instant stay within Block Kit limits, in as many messages as needed', async () => {
    const keys = Array.from({ length: 45 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    for (const key of keys) outside(key, T0 + 3 * H);
    await watch('C1');
    ctx.clock = T0 + 2 * H + 1;
    expect(await remind()).toMatchObject({ posted: 45, messages: 3 });
    const messages = slack.messages.filter(
      (m) => m.channel === 'C1' && m.text?.includes('new-checkout') && !m.text.startsWith('Following'),
    );
    expect(messages).toHaveLength(3);
    expect(messages.every((m) => m.blocks!.length <= 50)).toBe(true);
    expect(messages[0]!.text).toContain('45 targets on flag new-checkout expire in 60 minutes');
  });
});
