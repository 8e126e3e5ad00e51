import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LD_MESSAGES } from '../../src/services/ld-errors.js';
import { CHANGE_MESSAGES } from '../../src/services/request-change.js';
import { RETRYING, SOMETHING_WENT_WRONG, TAKE_ON_FAILED } from '../../src/slack/announce.js';
import { CANCELLED, REMOVED_NOW } from '../../src/slack/blocks/reminder.js';
import { SAFETY_MESSAGES } from '../../src/slack/blocks/safety.js';
import { ACTIONS, BLOCKS, INPUTS, MODAL, VIEWS } from '../../src/slack/ids.js';
import { backoff } from '../../src/work/worker.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { clickIn, remindUnder } from '../helpers/channel-commands.js';
import { sqliteUrl } from '../helpers/databases.js';
import { errorFor, type Fault, type RecordedRequest } from '../helpers/fake-launchdarkly.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { hurryRetries } from '../helpers/hurry-retries.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { commandBody, interactionBody, postSigned, viewSubmission } from '../helpers/slack-requests.js';

/**
 * Every surface that asks for a change, with LaunchDarkly (or the database) failing on the request
 * that applies it. A transient LaunchDarkly failure is retried by the change's job: the person is
 * told once that it waits, then reads the real result. Anything else is told in words where the
 * person will see it (the ack, the form, the channel, the response_url, a DM), and trying again
 * once the fault has cleared works.
 */

const MIN = 60_000;
const ALICE = { id: 'U1', name: 'alice' };
const BOB = { id: 'U2', name: 'bob' };
const ref = (environmentKey = 'production') => ({
  kind: 'flag' as const,
  projectKey: PROJECT,
  key: 'new-checkout',
  environmentKey,
});

const fakes = fakesPerFile({ users: { [ALICE.id]: { tz: 'UTC', name: ALICE.name } } });
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { PROTECTED_ENVIRONMENTS: 'staging', REMINDER_LEAD_TIMES: '2m' },
});
/** The bot's SQLite file, which a test breaks from another connection. */
const dbPath = () => ctx.databaseUrl.slice('sqlite:'.length);
afterEach(() => {
  expectNoInternals();
});

// ── What the person sees ───────────────────────────────────────────────────────────────────

/** What Slack shows as mrkdwn: `<` and `>` of a sentence are escaped. */
const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** No stack trace, error class or source path ever reaches Slack. */
function expectNoInternals() {
  const seen = JSON.stringify([slack.calls.map((c) => c.args), slack.responseUrlPosts.map((p) => p.body)]);
  expect(seen).not.toMatch(/\b\w*Error:|\bat [\w.<>]+ \(|\.[jt]s:\d+|node_modules|SQLITE_|disk I\/O error/);
}

const channelMessage = (predicate: (text: string) => boolean = () => true, timeoutMs?: number) =>
  slack.waitFor(
    () =>
      slack.messages.find((m) => m.channel === 'C1' && !m.ephemeral && !m.thread_ts && predicate(allText(m))),
    timeoutMs,
  );

/** A post to a response_url whose `text` (what notifications and screen readers show) matches. */
const responseUrlPost = (predicate: (text: string) => boolean) =>
  slack.waitFor(() => slack.responseUrlPosts.find((p) => predicate(String(p.body.text ?? ''))));

const onPatch = (fault: Omit<Fault, 'match'>, match: (r: RecordedRequest) => boolean = () => true) =>
  ld.fail({ ...fault, match: (r) => r.method === 'PATCH' && match(r) });

const expiries = (env = 'production') => ld.expiringTargets('flag', PROJECT, 'new-checkout', env);

/** Waits a little for anything late, then counts the PATCHes LaunchDarkly applied (2xx). */
async function appliedPatches(): Promise<number> {
  await new Promise((r) => setTimeout(r, 100));
  return ld.patches().filter((p) => p.status !== undefined && p.status < 300).length;
}

// ── The database failing, at its own edge ──────────────────────────────────────────────────

/**
 * Makes SQLite itself refuse a kind of write on the bot's database file, from another connection,
 * the way a full disk or a broken volume would: the error comes up through the real driver.
 */
function breakDatabase(table: 'jobs' | 'confirmations' | 'expiries', on: 'INSERT' | 'UPDATE') {
  const other = new SQLite(dbPath());
  other.exec(
    `CREATE TRIGGER broken_${table} BEFORE ${on} ON ${table} BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
  );
  other.close();
  return () => {
    const again = new SQLite(dbPath());
    again.exec(`DROP TRIGGER broken_${table}`);
    again.close();
  };
}

/**
 * A view submission answers only through its HTTP response or, after it, by DM: true when the
 * person got the sentence one way or the other.
 */
async function toldInViewOrDm(res: { status: number; body: string }): Promise<boolean> {
  if (res.status === 200 && res.body.includes(SOMETHING_WENT_WRONG.replace(/^:x: /, ''))) return true;
  return slack
    .waitFor(
      () => slack.messages.find((m) => m.channel === ALICE.id && m.text === SOMETHING_WENT_WRONG),
      2_000,
    )
    .then(
      () => true,
      () => false,
    );
}

/** Makes the expiries table unreadable (as a lost or corrupt volume would) until the returned repair. */
function hideExpiries() {
  const other = new SQLite(dbPath());
  other.exec('ALTER TABLE expiries RENAME TO expiries_away');
  other.close();
  return () => {
    const again = new SQLite(dbPath());
    again.exec('ALTER TABLE expiries_away RENAME TO expiries');
    again.close();
  };
}

// ── Surfaces ───────────────────────────────────────────────────────────────────────────────

function commandAs(text: string, user = ALICE) {
  return commandBody({
    text,
    user_id: user.id,
    user_name: user.name,
    response_url: slack.responseUrl(),
    trigger_id: slack.trigger(),
  });
}

/** `view.state.values` of the `/expire` form. */
function formValues(f: { resource: string; targets: string; when: string; environment?: string }) {
  const B = MODAL.blocks;
  const A = MODAL.actions;
  const selected = (value: string) => ({
    type: 'x',
    selected_option: { value, text: { type: 'plain_text', text: value } },
  });
  return {
    [B.action]: { [A.action]: selected('add') },
    [B.kind]: { [A.kind]: selected('flag') },
    [B.project]: { [A.project]: { type: 'plain_text_input', value: PROJECT } },
    [B.environment]: { [A.environment]: selected(f.environment ?? 'production') },
    [`${B.resource}_flag`]: { [A.flag]: selected(f.resource) },
    [B.targets]: { [A.targets]: { type: 'plain_text_input', value: f.targets } },
    [B.when]: { [A.when]: { type: 'plain_text_input', value: f.when } },
    [B.grant]: { [A.grant]: { type: 'checkboxes', selected_options: [] } },
  };
}

async function openForm() {
  await postSigned(ctx.bot.url, commandAs(''));
  const call = await slack.waitFor(() => slack.callsTo('views.open').at(-1));
  expect(call.response.ok).toBe(true);
  return call.response.view;
}

/** The form's view_submission body; the same body again is Slack delivering it again. */
function formSubmission(opened: any, f: Parameters<typeof formValues>[0]) {
  return interactionBody({
    type: 'view_submission',
    user: { id: ALICE.id, username: ALICE.name, name: ALICE.name, team_id: 'T1' },
    team: { id: 'T1', domain: 'acme' },
    api_app_id: 'A1',
    token: 't',
    trigger_id: slack.trigger(),
    view: { ...opened, state: { values: formValues(f) } },
  });
}

const click = (
  user: typeof ALICE,
  actionId: string,
  value: string,
  message?: { channel: string; ts: string },
) => clickIn(slack, ctx.bot.url, { user, actionId, value }, message);

/** `/expire … --env staging` (protected): the id carried by the ephemeral question's Confirm. */
async function askToConfirm(text = 'flag new-checkout sandy in 2 weeks --env staging') {
  await postSigned(ctx.bot.url, commandAs(text));
  const question = await slack.waitFor(() =>
    slack.responseUrlPosts.find((p) => allText(p.body).includes('is a protected environment')),
  );
  return question.body.blocks[1].elements[0].value as string;
}

/** The form for a protected environment: the confirmation view Slack pushes over it. */
async function pushedConfirmView() {
  const opened = await openForm();
  const res = await postSigned(
    ctx.bot.url,
    formSubmission(opened, {
      resource: 'new-checkout',
      targets: 'sandy',
      when: 'in 2 weeks',
      environment: 'staging',
    }),
  );
  const pushed = res.json();
  expect(pushed.response_action).toBe('push');
  expect(pushed.view.callback_id).toBe(VIEWS.confirm);
  return pushed.view;
}

const submitView = (user: typeof ALICE, view: any, values: Record<string, Record<string, string>> = {}) =>
  postSigned(ctx.bot.url, interactionBody(viewSubmission({ user, view, values })));

/** Schedules sandy in 3 minutes by command, then lets the reminder job post its reminder. */
async function reminder(text = 'flag new-checkout sandy in 3 minutes'): Promise<PostedMessage> {
  await postSigned(ctx.bot.url, commandAs(text));
  const result = await channelMessage((t) => t.includes('scheduled 1 target'));
  for (let i = 0; i < 200; i++) {
    const { items } = await ctx.bot.store.upcoming(ctx.clock, { limit: 10, offset: 0 });
    if (items.some((e) => e.messageTs === result.ts)) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  ctx.clock += 61_000;
  const posted = await remindUnder(fakes, ctx.database, ctx.clock, result);
  expect(posted).toBeDefined();
  return posted!;
}

const buttonValue = (message: PostedMessage, actionId: string) =>
  message.blocks![1].elements.find((e: any) => e.action_id === actionId).value as string;

const clickReminder = (message: PostedMessage, actionId: string) =>
  click(BOB, actionId, buttonValue(message, actionId), { channel: message.channel, ts: message.ts });

const reminderText = (message: PostedMessage) => allText(message);

async function openExtendForm(message: PostedMessage) {
  const before = slack.callsTo('views.open').length;
  await clickReminder(message, ACTIONS.reminderExtend);
  const call = await slack.waitFor(() => slack.callsTo('views.open')[before]);
  expect(call.args.view.callback_id).toBe(VIEWS.extend);
  return call.response.view;
}

const extendTo = (view: any, when: string) =>
  submitView(BOB, view, { [BLOCKS.extendWhen]: { [INPUTS.extendWhen]: when } });

const ephemeralTo = (user: string, predicate: (text: string) => boolean, timeoutMs?: number) =>
  slack.waitFor(
    () => slack.messages.find((m) => m.ephemeral && m.user === user && predicate(String(m.text ?? ''))),
    timeoutMs,
  );

// ── LaunchDarkly failing ───────────────────────────────────────────────────────────────────

/** The notice a transient failure gives on the first try (retried after 2 s). */
const RETRY_NOTICE = RETRYING(backoff(1), 1);

/** How many times the person was told the work waits for LaunchDarkly, wherever they were told. */
const retryNotices = () =>
  [...slack.responseUrlPosts.map((p) => p.body.text), ...slack.messages.map((m) => m.text)].filter(
    (t) => t === RETRY_NOTICE,
  ).length;

/** Nothing in the channel said the change failed. */
const noFailureInChannel = () =>
  expect(slack.messages.filter((m) => m.channel === 'C1' && allText(m).includes(':x:'))).toEqual([]);

describe('a transient LaunchDarkly failure is retried: the person is told once, then the real result', () => {
  it('the /expire command: a 500 on the change', async () => {
    onPatch({ status: 500, times: 1 });
    expect((await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'))).status).toBe(200);
    const told = await responseUrlPost((t) => t === RETRY_NOTICE);
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(expiries()).toEqual([]);

    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries()).toHaveLength(1);
    expect(await appliedPatches()).toBe(1);
    expect(retryNotices()).toBe(1);
    noFailureInChannel();
  });

  it('Confirm under the question: a dropped connection', async () => {
    const id = await askToConfirm();
    onPatch({ status: 0, destroy: true, times: 1 });
    await click(ALICE, ACTIONS.confirm, id);
    await responseUrlPost((t) => t === SAFETY_MESSAGES.confirmed);
    await responseUrlPost((t) => t === RETRY_NOTICE);

    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries('staging')).toHaveLength(1);
    expect(await appliedPatches()).toBe(1);
    expect(retryNotices()).toBe(1);
    noFailureInChannel();
  });

  it('Confirm of the form: a 409', async () => {
    const view = await pushedConfirmView();
    onPatch({ status: 409, times: 1 });
    expect((await submitView(ALICE, view)).json()).toEqual({ response_action: 'clear' });
    // No response_url comes with a view: the notice is a DM.
    await slack.waitFor(() => slack.messages.find((m) => m.channel === ALICE.id && m.text === RETRY_NOTICE));

    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries('staging')).toHaveLength(1);
    expect(retryNotices()).toBe(1);
    noFailureInChannel();
  });

  it('Remove now on a reminder: a dropped connection', async () => {
    const message = await reminder();
    onPatch({ status: 0, destroy: true, times: 1 });
    await clickReminder(message, ACTIONS.reminderRemoveNow);
    const told = await responseUrlPost((t) => t === RETRY_NOTICE);
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(reminderText(message)).not.toContain(REMOVED_NOW);

    await slack.waitFor(() => reminderText(message).includes(REMOVED_NOW) || undefined);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production')[0]!.values).not.toContain('sandy');
    expect(expiries()).toEqual([]);
    expect(retryNotices()).toBe(1);
    expect(slack.responseUrlPosts.filter((p) => String(p.body.text).startsWith(':x:'))).toEqual([]);
  });

  it('the Extend form of a reminder: rate limiting the client gave up on', async () => {
    const message = await reminder();
    const view = await openExtendForm(message);
    // The client itself tries a 429 five times (Retry-After: 0); the job's retry gets through.
    onPatch({ status: 429, times: 5, headers: { 'Retry-After': '0' } });
    expect((await extendTo(view, 'in 10 minutes')).body).toBe('');
    const told = await ephemeralTo(BOB.id, (t) => t === RETRY_NOTICE);
    expect(told.channel).toBe('C1');
    expect(expiries()[0]!.expirationDate).toBe(Date.parse('2030-01-10T18:03:00Z'));

    await slack.waitFor(() => reminderText(message).includes('expiry moved to') || undefined);
    expect(expiries()).toHaveLength(1);
    expect(expiries()[0]!.expirationDate).toBe(ctx.clock + 10 * MIN);
    expect(retryNotices()).toBe(1);
    expect(slack.messages.filter((m) => m.ephemeral && String(m.text).startsWith(':x:'))).toEqual([]);
  });
});

describe('a LaunchDarkly refusal reaches the person in words, and trying again works', () => {
  it('the /expire command: a 401 is told in the channel; the same command again applies', async () => {
    onPatch({ status: 401 });
    const body = commandAs('flag new-checkout sandy in 2 weeks');
    expect((await postSigned(ctx.bot.url, body)).status).toBe(200);
    const failed = await channelMessage();
    expect(allText(failed)).toContain(
      `:x: Nothing scheduled on flag *new-checkout*: ${mrkdwn(LD_MESSAGES.unauthorized)}`,
    );
    expect(expiries()).toEqual([]);
    expect(retryNotices()).toBe(0);

    // Slack delivering the very same command again (same trigger): the failed job was let go.
    await postSigned(ctx.bot.url, body, {
      headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_error' },
    });
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries()).toHaveLength(1);
  });

  it('the /expire form: a 403 on the change is told in the channel; the same submission again applies', async () => {
    const opened = await openForm();
    onPatch({ status: 403 });
    const body = formSubmission(opened, { resource: 'new-checkout', targets: 'sandy', when: 'in 2 weeks' });
    expect((await postSigned(ctx.bot.url, body)).body).toBe('');
    const failed = await channelMessage();
    expect(allText(failed)).toContain(
      `:x: Nothing scheduled on flag *new-checkout*: ${mrkdwn(LD_MESSAGES.forbidden(ref()))}`,
    );
    expect(expiries()).toEqual([]);

    expect((await postSigned(ctx.bot.url, body)).body).toBe('');
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries()).toHaveLength(1);
  });

  it('Confirm under the question: a 404 is told in the channel, the question comes back, and its Confirm applies', async () => {
    const id = await askToConfirm();
    onPatch({ status: 404 });
    await click(ALICE, ACTIONS.confirm, id);
    const failed = await channelMessage();
    expect(allText(failed)).toContain(
      `:x: Nothing scheduled on flag *new-checkout*: ${mrkdwn(LD_MESSAGES.notFound(ref('staging')))}`,
    );
    expect(expiries('staging')).toEqual([]);
    // The question was replaced by "confirmed"; it comes back as a new message with its Confirm.
    const questions = () =>
      slack.responseUrlPosts.filter((p) =>
        (p.body.blocks ?? [])
          .flatMap((b: any) => b.elements ?? [])
          .some((e: any) => e.action_id === ACTIONS.confirm && e.value === id),
      );
    await slack.waitFor(() => questions().length === 2 || undefined);
    expect(slack.responseUrlPosts.at(-1)).toBe(questions().at(-1));

    await click(ALICE, ACTIONS.confirm, id);
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries('staging')).toHaveLength(1);
    expect(await appliedPatches()).toBe(1);
  });

  it('Confirm of the form: a 405 (approvals) is told in the channel; the same Confirm submitted again applies', async () => {
    const view = await pushedConfirmView();
    onPatch({ status: 405 });
    expect((await submitView(ALICE, view)).json()).toEqual({ response_action: 'clear' });
    const failed = await channelMessage();
    expect(allText(failed)).toContain(
      `:x: Nothing scheduled on flag *new-checkout*: ${mrkdwn(LD_MESSAGES.approval(ref('staging'), errorFor(405).message))}`,
    );
    expect(expiries('staging')).toEqual([]);

    expect((await submitView(ALICE, view)).json()).toEqual({ response_action: 'clear' });
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(expiries('staging')).toHaveLength(1);
  });

  it('Cancel expiry on a reminder: a 401 is told to the clicker; a second click cancels', async () => {
    const message = await reminder();
    onPatch({ status: 401 });
    await clickReminder(message, ACTIONS.reminderCancel);
    const told = await responseUrlPost((t) => t.startsWith(':x:'));
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(told.body.text).toBe(`:x: ${LD_MESSAGES.unauthorized}`);
    expect(expiries()).toHaveLength(1);
    expect(reminderText(message)).not.toContain(CANCELLED);
    expect(message.blocks![1].elements.map((e: any) => e.action_id)).toContain(ACTIONS.reminderCancel);

    await clickReminder(message, ACTIONS.reminderCancel);
    await slack.waitFor(() => reminderText(message).includes(CANCELLED) || undefined);
    expect(expiries()).toEqual([]);
  });

  it('Remove now on a reminder: LaunchDarkly refusing the removal itself is told; a second click removes', async () => {
    const message = await reminder();
    // The expiry is cancelled, then taking sandy out of targeting is forbidden.
    onPatch({ status: 403 }, (r) => r.path === '/api/v2/flags/default/new-checkout');
    await clickReminder(message, ACTIONS.reminderRemoveNow);
    const told = await responseUrlPost((t) => t.startsWith(':x:'));
    expect(told.body.text).toBe(`:x: could not be removed: ${mrkdwn(LD_MESSAGES.forbidden(ref()))}`);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production')[0]!.values).toContain('sandy');
    expect(reminderText(message)).not.toContain(REMOVED_NOW);

    await clickReminder(message, ACTIONS.reminderRemoveNow);
    await slack.waitFor(() => reminderText(message).includes(REMOVED_NOW) || undefined);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production')[0]!.values).not.toContain('sandy');
  });

  it('the Extend form of a reminder: a 404 is told to the person; Extend on the same reminder opens a form that works', async () => {
    const message = await reminder();
    onPatch({ status: 404 });
    expect((await extendTo(await openExtendForm(message), 'in 10 minutes')).body).toBe('');
    const told = await ephemeralTo(BOB.id, (t) => t.startsWith(':x:'));
    expect(told.text).toBe(`:x: ${mrkdwn(LD_MESSAGES.notFound(ref()))}`);
    expect(expiries()[0]!.expirationDate).toBe(Date.parse('2030-01-10T18:03:00Z'));

    expect((await extendTo(await openExtendForm(message), 'in 20 minutes')).body).toBe('');
    await slack.waitFor(() => reminderText(message).includes('expiry moved to') || undefined);
    expect(expiries()[0]!.expirationDate).toBe(ctx.clock + 20 * MIN);
  });
});

// ── The database failing ───────────────────────────────────────────────────────────────────

describe('a database failure reaches the person in words, and trying again works', () => {
  it('the /expire command: the job cannot be written, the ack says so, nothing sent; the same command again applies', async () => {
    const repair = breakDatabase('jobs', 'INSERT');
    const body = commandAs('flag new-checkout sandy in 2 weeks');
    const ack = await postSigned(ctx.bot.url, body);
    expect(ack.json()).toEqual({ response_type: 'ephemeral', text: TAKE_ON_FAILED });
    expect(ld.patches()).toEqual([]);

    repair();
    await postSigned(ctx.bot.url, body, {
      headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_error' },
    });
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    expect(expiries()).toHaveLength(1);
  });

  it('the /expire command: LaunchDarkly has the change but the bot cannot write it down: tried again, then told precisely', async () => {
    const repair = breakDatabase('expiries', 'INSERT');
    const stop = hurryRetries(dbPath());
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'));
    const message = await channelMessage(undefined, 20_000);
    stop();
    expect(allText(message)).toContain('<@U1> scheduled 1 target on flag *new-checkout*');
    expect(allText(message)).toContain(`:warning: ${CHANGE_MESSAGES.unrecorded}`);
    expect(expiries()).toHaveLength(1);
    expect(await appliedPatches()).toBe(1);
    repair();
  });

  it('the /expire form: the job cannot be written, the form says so on its field, nothing sent; submitting again applies', async () => {
    const opened = await openForm();
    const repair = breakDatabase('jobs', 'INSERT');
    const body = formSubmission(opened, { resource: 'new-checkout', targets: 'sandy', when: 'in 2 weeks' });
    expect((await postSigned(ctx.bot.url, body)).json()).toEqual({
      response_action: 'errors',
      errors: { [MODAL.blocks.targets]: TAKE_ON_FAILED },
    });
    expect(ld.patches()).toEqual([]);

    repair();
    expect((await postSigned(ctx.bot.url, body)).body).toBe('');
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    expect(expiries()).toHaveLength(1);
  });

  it('Confirm under the question: the click cannot be written, told ephemerally, nothing sent; Confirm works again', async () => {
    const id = await askToConfirm();
    const repair = breakDatabase('jobs', 'INSERT');
    await click(ALICE, ACTIONS.confirm, id);
    const told = await responseUrlPost((t) => t === TAKE_ON_FAILED);
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(ld.patches()).toEqual([]);

    repair();
    await click(ALICE, ACTIONS.confirm, id);
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    expect(expiries('staging')).toHaveLength(1);
  });

  it('Confirm under the question: a database failing after the ack is retried, and told after the last try; Confirm works again', async () => {
    const id = await askToConfirm();
    const repair = breakDatabase('confirmations', 'UPDATE');
    const hurried = hurryRetries(dbPath());
    await click(ALICE, ACTIONS.confirm, id);
    const told = await responseUrlPost((t) => t === SOMETHING_WENT_WRONG);
    hurried();
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(slack.responseUrlPosts.filter((p) => p.body.text === SOMETHING_WENT_WRONG)).toHaveLength(1);
    expect(ld.patches()).toEqual([]);

    repair();
    await click(ALICE, ACTIONS.confirm, id);
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    expect(expiries('staging')).toHaveLength(1);
  });

  it('the /expire command for a protected environment: the database failing after the ack and recovering before the next try: the question comes, no false word, nothing left in the channel', async () => {
    const repair = breakDatabase('confirmations', 'INSERT');
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks --env staging'));
    await slack.waitFor(() => ctx.bot.logs.some((l) => l.includes('work behind an ack failed')) || undefined);
    repair();
    await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => allText(p.body).includes('is a protected environment')),
    );
    expect(slack.responseUrlPosts.map((p) => p.body.text)).not.toContain(SOMETHING_WENT_WRONG);
    expect(ld.patches()).toEqual([]);
    // The question is for the asker alone: nothing about it (no progress message) in the channel.
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.messages.filter((m) => m.channel === 'C1').map(allText)).toEqual([]);
  });

  it('Confirm of the form: told in the view, nothing sent; Confirm works again', async () => {
    const view = await pushedConfirmView();
    const repair = breakDatabase('confirmations', 'UPDATE');
    const res = await submitView(ALICE, view);
    expect(res.json()).toMatchObject({ response_action: 'update' });
    expect(await toldInViewOrDm(res), `Slack got HTTP ${res.status} "${res.body}"`).toBe(true);
    expect(ld.patches()).toEqual([]);

    repair();
    expect((await submitView(ALICE, view)).json()).toEqual({ response_action: 'clear' });
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    expect(expiries('staging')).toHaveLength(1);
  });

  it('Confirm of the form: the job cannot be written, told in the view, nothing sent; Confirm works again', async () => {
    const view = await pushedConfirmView();
    const repair = breakDatabase('jobs', 'INSERT');
    const res = await submitView(ALICE, view);
    expect(res.json()).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.json().view)).toContain(TAKE_ON_FAILED.replace(/^:x: /, ''));
    expect(ld.patches()).toEqual([]);

    repair();
    expect((await submitView(ALICE, view)).json()).toEqual({ response_action: 'clear' });
    await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    expect(expiries('staging')).toHaveLength(1);
  });

  it('the /expire form for a protected environment: a question that cannot be kept is told, nothing sent; submitting again asks', async () => {
    const opened = await openForm();
    const repair = breakDatabase('confirmations', 'INSERT');
    const body = formSubmission(opened, {
      resource: 'new-checkout',
      targets: 'sandy',
      when: 'in 2 weeks',
      environment: 'staging',
    });
    const res = await postSigned(ctx.bot.url, body);
    expect(await toldInViewOrDm(res), `Slack got HTTP ${res.status} "${res.body}"`).toBe(true);
    expect(ld.patches()).toEqual([]);

    repair();
    expect((await postSigned(ctx.bot.url, body)).json().response_action).toBe('push');
  });

  it('the /expire command for a protected environment: a question that cannot be kept is told after the last try, nothing sent; the same command again asks', async () => {
    const repair = breakDatabase('confirmations', 'INSERT');
    const body = commandAs('flag new-checkout sandy in 2 weeks --env staging');
    const hurried = hurryRetries(dbPath());
    await postSigned(ctx.bot.url, body);
    const told = await responseUrlPost((t) => t === SOMETHING_WENT_WRONG);
    hurried();
    expect(told.body.response_type).toBe('ephemeral');
    expect(ld.patches()).toEqual([]);

    repair();
    await postSigned(ctx.bot.url, body, {
      headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_error' },
    });
    await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => allText(p.body).includes('is a protected environment')),
    );
  });

  it('reminder buttons: a click that cannot be written is told to the clicker, nothing sent; a second click cancels', async () => {
    const message = await reminder();
    const before = ld.patches().length;
    const repair = breakDatabase('jobs', 'INSERT');
    await clickReminder(message, ACTIONS.reminderCancel);
    const told = await responseUrlPost((t) => t === TAKE_ON_FAILED);
    expect(told.body.response_type).toBe('ephemeral');
    await clickReminder(message, ACTIONS.reminderRemoveNow);
    await slack.waitFor(
      () => slack.responseUrlPosts.filter((p) => p.body.text === TAKE_ON_FAILED).length === 2 || undefined,
    );
    expect(ld.patches()).toHaveLength(before);

    repair();
    await clickReminder(message, ACTIONS.reminderCancel);
    await slack.waitFor(() => reminderText(message).includes(CANCELLED) || undefined);
    expect(expiries()).toEqual([]);
  });

  it('the Extend form of a reminder: a submission that cannot be written is told on its field, nothing sent; the same submission again extends', async () => {
    const message = await reminder();
    const view = await openExtendForm(message);
    const before = ld.patches().length;
    const repair = breakDatabase('jobs', 'INSERT');
    expect((await extendTo(view, 'in 10 minutes')).json()).toEqual({
      response_action: 'errors',
      errors: { [BLOCKS.extendWhen]: TAKE_ON_FAILED },
    });
    expect(ld.patches()).toHaveLength(before);

    repair();
    expect((await extendTo(view, 'in 10 minutes')).body).toBe('');
    await slack.waitFor(() => reminderText(message).includes('expiry moved to') || undefined);
    expect(expiries()[0]!.expirationDate).toBe(ctx.clock + 10 * MIN);
  });

  it('the Extend form of a reminder: an unreadable database is told to the person; the same submission again extends', async () => {
    const message = await reminder();
    const view = await openExtendForm(message);
    const before = ld.patches().length;
    const repair = hideExpiries();
    const res = await extendTo(view, 'in 10 minutes');
    const told =
      (res.status === 200 && res.body.includes('Something went wrong')) ||
      (await ephemeralTo(BOB.id, (t) => t === SOMETHING_WENT_WRONG, 2_000).then(
        () => true,
        () => false,
      ));
    expect(told, `Slack got HTTP ${res.status} "${res.body}"`).toBe(true);
    expect(ld.patches()).toHaveLength(before);

    repair();
    expect((await extendTo(view, 'in 10 minutes')).body).toBe('');
    await slack.waitFor(() => reminderText(message).includes('expiry moved to') || undefined);
    expect(expiries()[0]!.expirationDate).toBe(ctx.clock + 10 * MIN);
  });
});
