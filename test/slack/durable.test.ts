import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANGE_MESSAGES } from '../../src/services/request-change.js';
import { BUSY, RETRYING, SOMETHING_WENT_WRONG, WAITING } from '../../src/slack/announce.js';
import { backoff } from '../../src/work/worker.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import type { Fault } from '../helpers/fake-launchdarkly.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { hurryRetries } from '../helpers/hurry-retries.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

/**
 * Issue 13's faults that need no crash: Slack refusing the result after LaunchDarkly applied the
 * change, the database refusing to write it down, a PATCH whose answer never came (reset, timeout),
 * a command delivered twice, and a queue that is full or slow. Each ends with LaunchDarkly holding
 * every target once, the store agreeing (reminders in the result's thread), and one true result.
 */

const DAY = 86_400_000;
const ALICE = { id: 'U1', name: 'alice' };
/** "in 2 weeks", asked at the test's clock by a person in UTC. */
const IN_2_WEEKS = 14 * DAY;

const fakes = fakesPerFile({ users: { [ALICE.id]: { tz: 'UTC', name: ALICE.name } } });
const { slack, ld } = fakes;
/** Each test starts its own bot (`boot`), with the environment and options it is about. */
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, startEach: false });
/** The bot's SQLite file, which a test breaks from another connection. */
const dbPath = () => ctx.databaseUrl.slice('sqlite:'.length);
afterEach(async () => {
  await ctx.bot.work.idle();
});
const boot = ctx.start;

// ── What the person sees, what LaunchDarkly and the store hold ────────────────────────────────

function commandAs(text: string) {
  return commandBody({
    text,
    user_id: ALICE.id,
    user_name: ALICE.name,
    response_url: slack.responseUrl(),
    trigger_id: slack.trigger(),
  });
}

/** Top-level messages in the channel the commands come from. */
const inChannel = () => slack.messages.filter((m) => m.channel === 'C1' && !m.ephemeral && !m.thread_ts);

const channelMessage = (predicate: (text: string) => boolean) =>
  slack.waitFor(() => inChannel().find((m) => predicate(allText(m))), 20_000);

/** Everything the person could read: channel, DMs, ephemerals and response_url posts. */
const everythingSaid = () => [
  ...slack.messages.map(allText),
  ...slack.responseUrlPosts.map((p) => allText(p.body)),
];

const onPatch = (fault: Omit<Fault, 'match'>) => ld.fail({ ...fault, match: (r) => r.method === 'PATCH' });

const applied = () => ld.patches().filter((p) => p.status !== undefined && p.status < 300);

/**
 * LaunchDarkly holds each target once; the store holds the same targets at the same instants,
 * their reminders threaded under `result` in C1.
 */
async function expectAgreement(result: PostedMessage, flag = 'new-checkout') {
  const inLd = ld
    .expiringTargets('flag', PROJECT, flag, 'production')
    .map((e) => `${e.contextKind}:${e.contextKey}@${new Date(e.expirationDate).toISOString()}`)
    .sort();
  expect(new Set(inLd.map((e) => e.split('@')[0])).size, `twice in LaunchDarkly: ${inLd}`).toBe(inLd.length);
  // The thread is written just after the result is posted.
  let items = (await ctx.bot.store.upcoming(ctx.clock, { limit: 100, offset: 0 })).items;
  for (let i = 0; i < 100 && !items.every((e) => e.messageTs === result.ts); i++) {
    await new Promise((r) => setTimeout(r, 20));
    items = (await ctx.bot.store.upcoming(ctx.clock, { limit: 100, offset: 0 })).items;
  }
  expect(
    items.map((e) => `${e.target.contextKind}:${e.target.key}@${new Date(e.expiresAt).toISOString()}`).sort(),
  ).toEqual(inLd);
  for (const e of items)
    expect({ channel: e.channelId, thread: e.messageTs }).toEqual({ channel: 'C1', thread: result.ts });
}

/** Nobody was told a false "nothing" or an internal failure. */
function expectNoFalseWord() {
  for (const said of everythingSaid()) {
    expect(said).not.toContain('Nothing scheduled');
    expect(said).not.toContain(SOMETHING_WENT_WRONG);
  }
}

const RETRY_NOTICE = RETRYING(backoff(1), 1);

// ── Slack failing after LaunchDarkly applied the change ───────────────────────────────────────

describe('Slack refuses the result after LaunchDarkly applied the change', () => {
  it('chat.postMessage rate limited until the client gives up: the store has the change at once, the result comes on the retry', async () => {
    await boot();
    // The Web API client tries three times (two retries): all three are refused.
    slack.failNext('chat.postMessage', 'ratelimited', 3);
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'));
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length === 3 || undefined);
    // Recorded before reported: the store learnt the change although Slack refused the result.
    const { items } = await ctx.bot.store.upcoming(ctx.clock, { limit: 10, offset: 0 });
    expect(items.map((e) => [e.target.key, e.expiresAt])).toEqual([['sandy', ctx.clock + IN_2_WEEKS]]);

    const result = await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(inChannel()).toHaveLength(1);
    expect(applied()).toHaveLength(1);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')[0]!.expirationDate).toBe(
      ctx.clock + IN_2_WEEKS,
    );
    await expectAgreement(result);
    expectNoFalseWord();
  });

  it('chat.postMessage answering invalid_auth once: the retry posts the one result, LaunchDarkly is not asked again', async () => {
    await boot();
    slack.failNext('chat.postMessage', 'invalid_auth', 1);
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy,bob in 2 weeks'));
    const result = await channelMessage((t) =>
      t.includes('<@U1> scheduled 2 targets on flag *new-checkout*'),
    );
    expect(slack.callsTo('chat.postMessage').filter((c) => c.response.ok === false)).toHaveLength(1);
    expect(inChannel()).toHaveLength(1);
    expect(ld.patches()).toHaveLength(1);
    await expectAgreement(result);
    expectNoFalseWord();
  });

  it('chat.update answering message_not_found every time: the result is posted anew, once', async () => {
    await boot({}, { progressAfterMs: 50 });
    ld.delayMs = 300;
    slack.failNext('chat.update', 'message_not_found', 100, (args) =>
      String(args.text).startsWith('Scheduled '),
    );
    const hurried = hurryRetries(dbPath());
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'));
    await slack.waitFor(() => inChannel()[0]);
    const scheduled = () =>
      slack.messages.find((m) => m.channel === 'C1' && allText(m).includes('<@U1> scheduled 1 target'));
    // Either the result comes, or (after the last try) the person is told something went wrong.
    await slack
      .waitFor(() => scheduled() ?? everythingSaid().find((t) => t.includes(SOMETHING_WENT_WRONG)), 10_000)
      .finally(hurried);
    expectNoFalseWord();
    const result = scheduled()!;
    expect(result).toBeDefined();
    await ctx.bot.work.idle();
    expect(inChannel().filter((m) => allText(m).includes('<@U1> scheduled'))).toEqual([result]);
    expect(applied()).toHaveLength(1);
    await expectAgreement(result);
    expectNoFalseWord();
  });
});

// ── The database failing after LaunchDarkly applied the change ─────────────────────────────────

describe('the database refuses to write the change down after LaunchDarkly applied it', () => {
  it('the work is tried again once the database is back: one true result, and the store agrees', async () => {
    await boot();
    const other = new SQLite(dbPath());
    other.exec(
      "CREATE TRIGGER broken_expiries BEFORE INSERT ON expiries BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    );
    other.close();
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'));
    // The first try applies the change in LaunchDarkly, cannot write it down, and tells nobody yet.
    await slack.waitFor(() => (applied().length === 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(inChannel()).toEqual([]);
    const again = new SQLite(dbPath());
    again.exec('DROP TRIGGER broken_expiries');
    again.close();

    const result = await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(allText(result)).not.toContain(CHANGE_MESSAGES.unrecorded);
    expect(inChannel()).toEqual([result]);
    // The retry read LaunchDarkly, found sandy as planned, and sent nothing more.
    expect(applied()).toHaveLength(1);
    await expectAgreement(result);
    expectNoFalseWord();
  });
});

// ── A PATCH whose answer never came ───────────────────────────────────────────────────────────

describe('a PATCH LaunchDarkly applied but whose answer was lost is uncertain, not "nothing"', () => {
  it('the connection reset after LaunchDarkly applied it: the retry reads LaunchDarkly and reports what is there', async () => {
    await boot();
    onPatch({ applyFirst: true, destroy: true });
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy,bob in 2 weeks'));
    await slack.waitFor(() => slack.responseUrlPosts.find((p) => p.body.text === RETRY_NOTICE));
    // LaunchDarkly has the change already; nothing else is sent for it.
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(2);

    const result = await channelMessage((t) =>
      t.includes('<@U1> scheduled 2 targets on flag *new-checkout*'),
    );
    expect(ld.patches()).toHaveLength(1);
    expect(inChannel()).toHaveLength(1);
    expect(slack.responseUrlPosts.filter((p) => p.body.text === RETRY_NOTICE)).toHaveLength(1);
    await expectAgreement(result);
    expectNoFalseWord();
  });

  it('a PATCH that timed out after LaunchDarkly applied it: the same', async () => {
    await boot({}, { ldTimeoutMs: 1_500 });
    onPatch({ applyFirst: true, delayMs: 3_000 });
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'));
    await slack.waitFor(() => slack.responseUrlPosts.find((p) => p.body.text === RETRY_NOTICE));
    const result = await channelMessage((t) => t.includes('<@U1> scheduled 1 target on flag *new-checkout*'));
    expect(ld.patches()).toHaveLength(1);
    expect(inChannel()).toHaveLength(1);
    expect(ctx.bot.logs.some((l) => l.includes('LaunchDarkly request failed without an answer'))).toBe(true);
    await expectAgreement(result);
    expectNoFalseWord();
  });

  it('an extend whose connection reset after LaunchDarkly moved the expiry: moved once, not twice', async () => {
    await boot();
    await postSigned(ctx.bot.url, commandAs('flag new-checkout sandy in 2 weeks'));
    await channelMessage((t) => t.includes('scheduled 1 target'));
    await ctx.bot.work.idle();
    const first = ctx.clock + IN_2_WEEKS;

    onPatch({ applyFirst: true, destroy: true });
    await postSigned(ctx.bot.url, commandAs('extend flag new-checkout sandy 2 days'));
    await slack.waitFor(() => slack.responseUrlPosts.find((p) => p.body.text === RETRY_NOTICE));
    const result = await channelMessage((t) => t.includes('<@U1> moved') || t.includes('extended'));
    await ctx.bot.work.idle();
    const inLd = ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production');
    expect(inLd.map((e) => e.expirationDate)).toEqual([first + 2 * DAY]);
    const { items } = await ctx.bot.store.upcoming(ctx.clock, { limit: 10, offset: 0 });
    expect(items.map((e) => e.expiresAt)).toEqual([first + 2 * DAY]);
    expect(items[0]!.messageTs).toBe(result.ts);
    expect(inChannel()).toHaveLength(2);
    expectNoFalseWord();
  });
});

// ── Redelivery and the bounded queue ──────────────────────────────────────────────────────────

describe('the work queue', () => {
  it('the same command delivered twice (same trigger_id) is one job: one change, one result', async () => {
    await boot();
    const body = commandAs('flag new-checkout sandy in 2 weeks');
    const [first, again] = await Promise.all([
      postSigned(ctx.bot.url, body),
      postSigned(ctx.bot.url, body, {
        headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
      }),
    ]);
    expect([first.status, again.status]).toEqual([200, 200]);
    const result = await channelMessage((t) => t.includes('<@U1> scheduled 1 target'));
    await ctx.bot.work.idle();
    const jobs = await ctx.bot.database.db.selectFrom('jobs').select(['id', 'state']).execute();
    expect(jobs).toHaveLength(1);
    expect(ld.patches()).toHaveLength(1);
    expect(inChannel()).toEqual([result]);
    await expectAgreement(result);
  });

  it('full (WORK_QUEUE_LIMIT=2, LaunchDarkly slow): a third command is refused in its ack and nothing is sent for it', async () => {
    await boot({ WORK_QUEUE_LIMIT: '2' });
    // LaunchDarkly answers the first two changes only when the test lets it.
    const held = ld.hold((r) => r.method === 'PATCH', 2);
    const acks = [];
    for (const target of ['sandy', 'bob', 'eve']) {
      acks.push(await postSigned(ctx.bot.url, commandAs(`flag new-checkout ${target} in 2 weeks`)));
    }
    expect(acks.map((a) => a.json().text === BUSY)).toEqual([false, false, true]);
    expect(acks[2]!.json().response_type).toBe('ephemeral');
    await held.reached;
    held.release();

    await slack.waitFor(() => inChannel().length === 2 || undefined, 10_000);
    await ctx.bot.work.idle();
    const keys = ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production').map((e) => e.contextKey);
    expect(keys.sort()).toEqual(['bob', 'sandy']);
    expect(JSON.stringify(ld.patches().map((p) => p.body))).not.toContain('eve');
    expect((await ctx.bot.database.db.selectFrom('jobs').select('id').execute()).length).toBe(2);
  });

  it('a request that waits more than 3 s is told how many are ahead of it, then done', async () => {
    const CONCURRENCY = 2;
    const users = Array.from({ length: CONCURRENCY + 1 }, (_, i) => `u${i + 1}`);
    ld.addFlag(PROJECT, { key: 'big', targets: { production: [{ variation: 0, values: users }] } });
    await boot({ WORK_CONCURRENCY: String(CONCURRENCY) });
    // The first changes, as many as the worker runs at once, wait in LaunchDarkly until let go.
    const held = ld.hold((r) => r.method === 'PATCH', CONCURRENCY);
    const bodies = users.map((u) => commandAs(`flag big ${u} in 2 weeks`));
    const acks = await Promise.all(bodies.map((body) => postSigned(ctx.bot.url, body)));
    expect(acks.map((a) => a.status)).toEqual(bodies.map(() => 200));
    // Which command was written last is up to the race; its request waits behind all the others.
    const told = await slack.waitFor(
      () => slack.responseUrlPosts.find((p) => p.body.text === WAITING(CONCURRENCY)),
      8_000,
    );
    await held.reached;
    held.release();
    expect(slack.responseUrlPosts.filter((p) => String(p.body.text).startsWith(':hourglass:'))).toEqual([
      told,
    ]);
    const waited = bodies.find((body) => new URL(responseUrlOf(body)).pathname === `/response/${told.id}`);
    expect(waited).toBeDefined();

    await slack.waitFor(() => inChannel().length === users.length || undefined, 15_000);
    await ctx.bot.work.idle();
    const keys = ld.expiringTargets('flag', PROJECT, 'big', 'production').map((e) => e.contextKey);
    expect(keys.sort()).toEqual([...users].sort());
    // Each sent once, the ones asked while another was in flight together in one request.
    const sent = applied().flatMap((p) => p.body.instructions.map((i: { userKey: string }) => i.userKey));
    expect(sent.sort()).toEqual([...users].sort());
  });
});

describe('a queue of changes to one flag', () => {
  it('goes to LaunchDarkly a request per round trip, not one per command; each person gets their own result', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `m${i}`);
    ld.addFlag(PROJECT, { key: 'busy', targets: { production: [{ variation: 0, values: users }] } });
    await boot();
    ld.delayMs = 150;
    const bodies = users.map((u, i) =>
      commandBody({
        text: `flag busy ${u} in 2 weeks`,
        channel_id: `CQ${i}`,
        channel_name: `q${i}`,
        response_url: slack.responseUrl(),
        trigger_id: slack.trigger(),
      }),
    );
    const acks = await Promise.all(bodies.map((body) => postSigned(ctx.bot.url, body)));
    expect(acks.map((a) => a.status)).toEqual(bodies.map(() => 200));
    await ctx.bot.work.idle();
    ld.delayMs = 0;

    const keys = ld.expiringTargets('flag', PROJECT, 'busy', 'production').map((e) => e.contextKey);
    expect(keys.sort()).toEqual([...users].sort());
    const patches = applied().filter((p) => p.path.includes('/busy/'));
    const sent = patches.flatMap((p) => p.body.instructions.map((i: { userKey: string }) => i.userKey));
    expect(sent.sort()).toEqual([...users].sort());
    expect(patches.length).toBeLessThanOrEqual(users.length / 4);
    // The audit log still says who asked: a request that carried several lists each asker's command.
    const together = patches.find((p) => /changes sent together/.test(p.body.comment));
    expect(together?.body.comment).toContain('via Slack (acme) by @alice (U1) in #q');
    users.forEach((user, i) => {
      const mine = slack.messages.filter((m) => m.channel === `CQ${i}` && !m.ephemeral && !m.thread_ts);
      expect(mine).toHaveLength(1);
      expect(allText(mine[0]!)).toContain('<@U1> scheduled 1 target on flag *busy*');
      expect(allText(mine[0]!)).toMatch(new RegExp(`\\b${user}\\b`));
    });
  });
});

function responseUrlOf(body: string): string {
  return new URLSearchParams(body).get('response_url') ?? '';
}
