import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runReminderPass } from '../../src/passes/reminders.js';
import { KNOWN_LIST_EMPTY } from '../../src/slack/blocks/known-list.js';
import { ALREADY_HANDLED } from '../../src/slack/blocks/reminder.js';
import { ACTIONS, BLOCKS, VIEWS } from '../../src/slack/ids.js';
import { STALE_FORM } from '../../src/slack/listeners/views/extend.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { scheduleIn } from '../helpers/channel-commands.js';
import { sqliteUrl } from '../helpers/databases.js';
import { FAKE_BOT_TOKEN, type PostedMessage } from '../helpers/fake-slack.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';
import {
  buttonClick,
  clickButton,
  commandBody,
  interactionBody,
  postSigned,
  submitExtendForm,
} from '../helpers/slack-requests.js';

const MIN = 60_000;
const BOB = { id: 'U2', name: 'bob' };

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { REMINDER_LEAD_TIMES: '2m', REMINDER_CHECK_INTERVAL: '10s' },
});

/** One pass of the reminder job, as the scheduler runs it, from a named replica. */
function pass(owner = 'replica-1') {
  return runReminderPass({
    now: ctx.clock,
    deps: {
      store: new ExpiryStore(ctx.database.db),
      ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token }),
      slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl }),
      logger: silent,
      leadTimesMs: [2 * MIN],
      owner,
    },
  });
}

const schedule = (text: string) => scheduleIn(slack, ctx.bot, ctx.clock, text);

const reminders = (result: PostedMessage) => slack.messages.filter((m) => m.thread_ts === result.ts);
const textOf = (m: PostedMessage) => (m.blocks ?? []).map((b: any) => b.text?.text ?? '').join('\n');

async function click(reminder: PostedMessage, actionId: string, value?: string) {
  const button = reminder.blocks![1].elements.find((e: any) => e.action_id === actionId);
  return clickButton(ctx.bot.url, {
    user: BOB,
    actionId,
    value: value ?? button.value,
    channel: reminder.channel,
    messageTs: reminder.ts,
    triggerId: slack.trigger(),
    responseUrl: slack.responseUrl(),
  });
}

describe('reminders end to end', () => {
  it('schedule in 3 minutes with a 2 minute lead: one reminder a minute later, none again after a restart; extend moves it and the next reminder follows', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    expect((await ctx.bot.store.upcoming(ctx.clock, { limit: 5, offset: 0 })).items).toMatchObject([
      {
        target: { contextKind: 'user', key: 'sandy' },
        channelId: 'C1',
        messageTs: result.ts,
        requestedBy: 'U1',
        expiresAt: ctx.clock + 3 * MIN,
      },
    ]);

    ctx.clock += 30_000;
    await pass();
    expect(reminders(result)).toHaveLength(0);
    ctx.clock += 31_000;
    await pass();
    expect(reminders(result)).toHaveLength(1);
    const [reminder] = reminders(result);
    expect(textOf(reminder!)).toContain(
      'Reminder: `sandy` (on) on flag *new-checkout* in `production` expires',
    );
    expect(textOf(reminder!)).toContain('Scheduled by <@U1>');

    // Restart: a new app and a new replica name on the same database.
    await ctx.restart();
    ctx.clock += 10_000;
    await pass('replica-after-restart');
    expect(reminders(result)).toHaveLength(1);

    // Extend through the button: a modal opens at once, a new time goes in.
    const opened = await click(reminder!, ACTIONS.reminderExtend);
    expect(opened.status).toBe(200);
    const view = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    expect(view.callback_id).toBe(VIEWS.extend);
    const submit = await submitExtendForm(ctx.bot.url, { user: BOB, view, when: 'in 10 minutes' });
    expect(submit.status).toBe(200);
    expect(submit.body).toBe('');
    const updated = await slack.waitFor(() =>
      textOf(reminder!).includes('expiry moved to') ? reminder : undefined,
    );
    expect(textOf(updated!)).toContain('by <@U2>');
    const newAt = ctx.clock + 10 * MIN;
    const update = ld.patches().at(-1)!;
    expect(update.body.instructions).toEqual([
      expect.objectContaining({ kind: 'updateExpireUserTargetDate', userKey: 'sandy', value: newAt }),
    ]);
    expect(update.body.comment).toContain('via Slack (acme) by @bob (U2)');
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')[0]!.expirationDate).toBe(newAt);

    // Never at the old time; again before the new one.
    ctx.clock += 2 * MIN;
    await pass();
    expect(reminders(result)).toHaveLength(1);
    ctx.clock = newAt - 2 * MIN + 1;
    await pass();
    expect(reminders(result)).toHaveLength(2);
  });

  it('Cancel expiry keeps the target, forgets the expiry and says who did it', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    const [reminder] = reminders(result);
    await click(reminder!, ACTIONS.reminderCancel);
    await slack.waitFor(() => (textOf(reminder!).includes('expiry cancelled') ? true : undefined));
    expect(textOf(reminder!)).toContain(
      '`sandy` (on) on flag *new-checkout* in `production`: expiry cancelled, the target stays by <@U2>.',
    );
    expect(reminder!.blocks).toHaveLength(1);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production')[0]!.values).toContain('sandy');
    expect((await ctx.bot.store.upcoming(ctx.clock, { limit: 5, offset: 0 })).total).toBe(0);
  });

  it('Remove now takes the target out of targeting at once', async () => {
    const result = await schedule('segment beta-testers sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    const [reminder] = reminders(result);
    await click(reminder!, ACTIONS.reminderRemoveNow);
    await slack.waitFor(() => (textOf(reminder!).includes('removed now') ? true : undefined));
    expect(ld.segmentMembers(PROJECT, 'production', 'beta-testers', 'included').get('user')).not.toContain(
      'sandy',
    );
    expect(ld.patches().at(-1)!.body.instructions).toEqual([
      { kind: 'removeIncludedTargets', contextKind: 'user', values: ['sandy'] },
    ]);
  });

  it('a double click on Cancel expiry is applied once', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    const [reminder] = reminders(result);
    const before = ld.patches().length;
    await Promise.all([click(reminder!, ACTIONS.reminderCancel), click(reminder!, ACTIONS.reminderCancel)]);
    await slack.waitFor(() => (textOf(reminder!).includes('expiry cancelled') ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    expect(ld.patches().length - before).toBe(1);
  });

  it('a Cancel that LaunchDarkly refused can be clicked again', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    const [reminder] = reminders(result);
    ld.fail({ status: 403, times: 10, match: (r) => r.method === 'PATCH' });
    await click(reminder!, ACTIONS.reminderCancel);
    const error = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.text?.startsWith(':x:')),
    );
    expect(error.body.text).toContain(
      "The bot's LaunchDarkly token is not allowed to change flag new-checkout",
    );
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
    ld.reset();
    await click(reminder!, ACTIONS.reminderCancel);
    await slack.waitFor(() => (textOf(reminder!).includes('expiry cancelled') ? true : undefined));
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
  });

  it('a Cancel that met a LaunchDarkly outage is retried on its own, and the clicker hears it waits', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    const [reminder] = reminders(result);
    ld.fail({ status: 503, times: 1, match: (r) => r.method === 'PATCH' });
    await click(reminder!, ACTIONS.reminderCancel);
    const notice = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.text?.includes('I will try again')),
    );
    expect(notice.body.response_type).toBe('ephemeral');
    await slack.waitFor(() => (textOf(reminder!).includes('expiry cancelled') ? true : undefined));
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
  });

  it('a click on an out-of-date reminder changes nothing and says so', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    const [reminder] = reminders(result);
    const before = ld.patches().length;
    const stale = JSON.stringify({ id: JSON.parse(reminder!.blocks![1].elements[0].value).id, at: 1 });
    await click(reminder!, ACTIONS.reminderCancel, stale);
    const reply = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.text === ALREADY_HANDLED),
    );
    expect(reply.body.response_type).toBe('ephemeral');
    expect(ld.patches()).toHaveLength(before);
  });

  it('the Extend form shows a bad time, or a tampered form, on its field', async () => {
    const result = await schedule('flag new-checkout sandy in 3 minutes');
    ctx.clock += 61_000;
    await pass();
    await click(reminders(result)[0]!, ACTIONS.reminderExtend);
    const view = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    const submit = (when: string, metadata = view.private_metadata) =>
      submitExtendForm(ctx.bot.url, { user: BOB, view: { ...view, private_metadata: metadata }, when });
    const bad = (await submit('3pm please')).json();
    expect(bad.response_action).toBe('errors');
    expect(bad.errors[BLOCKS.extendWhen]).toContain('I understood only');
    const tampered = (await submit('in 1 week', '{"id":"x","at":1,"channel":"C1","ts":"1.1"}')).json();
    expect(tampered.errors[BLOCKS.extendWhen]).toBe(STALE_FORM);
    const garbage = (await submit('in 1 week', 'not json')).json();
    expect(garbage.errors[BLOCKS.extendWhen]).toBe(STALE_FORM);
    expect(ld.patches().filter((p) => p.body.instructions[0].kind.startsWith('update'))).toEqual([]);
  });
});

describe('/expire list', () => {
  it('shows upcoming expiries scheduled through the bot, soonest first, a page at a time', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    ld.addFlag(PROJECT, { key: 'bulk', targets: { production: [{ variation: 0, values: keys }] } });
    await schedule(`flag bulk ${keys.slice(30).join(',')} in 2 weeks`);
    slack.reset();
    await schedule(`flag bulk ${keys.slice(0, 30).join(',')} in 1 week`);
    await postSigned(ctx.bot.url, commandBody({ text: 'list', response_url: slack.responseUrl() }));
    const first = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.response_type === 'ephemeral'),
    );
    const text = first.body.blocks.map((b: any) => b.text?.text ?? '').join('\n');
    expect(text).toContain('*Upcoming expiries* (1–50 of 60), soonest first:');
    expect(text.indexOf('`u00`')).toBeGreaterThan(0);
    expect(text.indexOf('`u00`')).toBeLessThan(text.indexOf('`u29`'));
    expect(text.indexOf('`u29`')).toBeLessThan(text.indexOf('`u30`'));
    const next = first.body.blocks.at(-1).elements[0];
    expect(next.text.text).toBe('Next');
    await postSigned(
      ctx.bot.url,
      interactionBody({
        ...buttonClick({
          user: BOB,
          actionId: next.action_id,
          value: next.value,
          channel: 'C1',
          messageTs: '1.1',
          triggerId: slack.trigger(),
          responseUrl: slack.responseUrl(),
        }),
        container: { type: 'message', message_ts: '1.1', channel_id: 'C1', is_ephemeral: true },
      }),
    );
    const second = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.replace_original === true),
    );
    expect(second.body.blocks[0].text.text).toContain('(51–60 of 60)');
  });

  it('says so when nothing is scheduled', async () => {
    await postSigned(ctx.bot.url, commandBody({ text: 'list', response_url: slack.responseUrl() }));
    const reply = await slack.waitFor(() => slack.responseUrlPosts[0]);
    expect(reply.body.text).toBe(KNOWN_LIST_EMPTY);
  });
});
