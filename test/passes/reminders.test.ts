import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { createMetrics } from '../../src/metrics.js';
import { type ReminderPassDeps, runReminderPass } from '../../src/passes/reminders.js';
import { connect, type Db } from '../../src/store/database.js';
import { ExpiryStore, type NewExpiry } from '../../src/store/expiry-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';
import { FakeLaunchDarkly } from '../helpers/fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, FakeSlack } from '../helpers/fake-slack.js';
import { PROJECT, seed } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';

const H = 3_600_000;
const T0 = Date.parse('2030-01-10T12:00:00Z');

let slack: FakeSlack;
let ld: FakeLaunchDarkly;
beforeAll(async () => {
  slack = await new FakeSlack().start();
  ld = await new FakeLaunchDarkly().start();
});
afterAll(async () => {
  await Promise.all([slack.stop(), ld.stop()]);
});

const flagRef = {
  kind: 'flag' as const,
  projectKey: PROJECT,
  key: 'new-checkout',
  environmentKey: 'production',
};

describe.each(DATABASES)('reminder pass on %s', (_name, url) => {
  let handle: Db;
  let store: ExpiryStore;
  let dbUrl: string;
  let clock = T0;

  const deps = (owner = 'replica-a', extra: Partial<ReminderPassDeps> = {}): ReminderPassDeps => ({
    store,
    ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, maxRetries: 0 }),
    slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    logger: silent,
    leadTimesMs: [24 * H, H],
    owner,
    staleMs: 60_000,
    ...extra,
  });
  const pass = (at: number, d = deps()) => runReminderPass({ now: at, deps: d });

  /** Schedules in the fake LaunchDarkly and in the store, as the bot would, at time `at`. */
  async function schedule(key: string, expiresAt: number, at = T0, extra: Partial<NewExpiry> = {}) {
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: key,
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: expiresAt,
    });
    await store.upsert(
      [
        {
          resource: flagRef,
          target: { contextKind: 'user', key },
          expiresAt,
          variationId: ld.variationId(PROJECT, 'new-checkout', 0),
          variationName: 'on',
          requestedBy: 'U1',
          channelId: 'C1',
          messageTs: '1700000000.000100',
          ...extra,
        },
      ],
      at,
    );
  }

  const reminders = () => slack.messages.filter((m) => m.thread_ts === '1700000000.000100');

  beforeEach(async () => {
    dbUrl = url();
    handle = await freshDatabase(dbUrl);
    store = new ExpiryStore(handle.db);
    ld.clear();
    seed(ld);
    ld.now = () => clock;
    slack.reset();
    clock = T0;
  });
  afterEach(async () => {
    await handle.close();
    expect(slack.violations).toEqual([]);
  });

  it('counts the reminders it settles in its metrics, by outcome', async () => {
    const metrics = createMetrics();
    const d = deps('replica-a', { metrics });
    await schedule('sandy', T0 + 30 * H);
    // bob's expiry was moved in LaunchDarkly meanwhile: the store still has the old instant.
    await schedule('bob', T0 + 40 * H);
    const { items } = await store.upcoming(T0, { limit: 10, offset: 0 });
    await store.setExpiresAt(items.find((e) => e.target.key === 'bob')!.id, T0 + 30 * H, T0);
    await pass(T0 + 6 * H + 1, d);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ld_expiry_bot_reminders_total{outcome="posted"} 1');
    expect(text).toContain('ld_expiry_bot_reminders_total{outcome="changed"} 1');
  });

  it('posts a due reminder once, in the thread, with the three buttons — across passes and restarts', async () => {
    await schedule('sandy', T0 + 30 * H);
    expect((await pass(T0 + 5 * H)).posted).toBe(0);
    const first = await pass(T0 + 6 * H + 1);
    expect(first).toMatchObject({ due: 1, posted: 1, ldReads: 1 });
    const [reminder] = reminders();
    expect(reminder!.channel).toBe('C1');
    expect(reminder!.blocks![0].text.text).toContain(
      ':alarm_clock: Reminder: `sandy` (on) on flag *new-checkout* in `production` expires <!date^',
    );
    expect(reminder!.blocks![0].text.text).toContain('in 24 hours');
    expect(reminder!.blocks![1].elements.map((e: any) => e.text.text)).toEqual([
      'Extend',
      'Cancel expiry',
      'Remove now',
    ]);
    // Again, and from a "restarted" replica: nothing more.
    await pass(T0 + 6 * H + 2);
    await pass(T0 + 7 * H, deps('replica-after-restart'));
    expect(reminders()).toHaveLength(1);
    // The next lead time comes: one more.
    await pass(T0 + 29 * H + 1);
    expect(reminders()).toHaveLength(2);
    expect(reminders()[1]!.blocks![0].text.text).toContain('in 60 minutes');
  });

  it('posts one reminder, not several, for lead times missed while down; none once the expiry passed', async () => {
    await schedule('sandy', T0 + 30 * H);
    await schedule('bob', T0 + 31 * H);
    const stats = await pass(T0 + 29.5 * H);
    // sandy: both its 24 h and 1 h moments passed — one reminder, the 1 h one; bob: its 24 h one.
    expect(stats).toMatchObject({ due: 3, posted: 2, superseded: 1 });
    expect(reminders().map((m) => /`(\w+)`.*, (in [^)]*)\)/.exec(m.blocks![0].text.text)!.slice(1))).toEqual([
      ['sandy', 'in 30 minutes'],
      ['bob', 'in 90 minutes'],
    ]);
    slack.reset();
    await schedule('eve-gone', T0 + 32 * H, T0);
    expect((await pass(T0 + 33 * H)).due).toBe(0);
    expect(reminders()).toHaveLength(0);
  });

  it('follows LaunchDarkly when the expiry was moved or removed elsewhere, and posts no wrong reminder', async () => {
    await schedule('sandy', T0 + 30 * H);
    await schedule('bob', T0 + 30 * H);
    const moved = T0 + 80 * H;
    // In LaunchDarkly meanwhile: sandy's expiry moved, bob's removed.
    ld.clear();
    seed(ld);
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'sandy',
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: moved,
    });
    const stats = await pass(T0 + 29.5 * H);
    expect(stats).toMatchObject({ changed: 1, gone: 1, posted: 0 });
    expect(reminders()).toHaveLength(0);
    const { items } = await store.upcoming(T0, { limit: 10, offset: 0 });
    expect(items.map((i) => [i.target.key, i.expiresAt])).toEqual([['sandy', moved]]);
    // The reminder follows the new time.
    expect((await pass(moved - H + 1)).posted).toBe(1);
  });

  it('reads LaunchDarkly once per flag and environment, however many reminders are due', async () => {
    for (let i = 0; i < 25; i++) await schedule(`user-${i}`, T0 + 30 * H + i);
    ld.reset();
    const stats = await pass(T0 + 29.9 * H);
    expect(stats).toMatchObject({ posted: 25, ldReads: 1 });
    expect(ld.requests.filter((r) => r.method === 'GET')).toHaveLength(2); // the user and the context endpoint
  });

  it('gives a claim back when LaunchDarkly cannot be read, and posts on the next pass', async () => {
    await schedule('sandy', T0 + 30 * H);
    ld.fail({ status: 503, times: 10 });
    expect(await pass(T0 + 29.5 * H)).toMatchObject({ posted: 0, failed: 1 });
    ld.reset();
    expect(await pass(T0 + 29.6 * H)).toMatchObject({ posted: 1 });
  });

  it('reminds the person by DM where the bot cannot post in the channel', async () => {
    await schedule('sandy', T0 + 30 * H, T0, { channelId: 'C404' });
    slack.notInChannel.add('C404');
    expect(await pass(T0 + 29.5 * H)).toMatchObject({ posted: 1, failed: 0 });
    const dm = slack.messages.find((m) => m.channel === 'U1');
    expect(dm!.blocks![0].text.text).toContain('Reminder: `sandy`');
    expect(await pass(T0 + 29.6 * H)).toMatchObject({ due: 0 });
  });

  it('gives up on a reminder nobody can be sent, without retrying it forever', async () => {
    await schedule('sandy', T0 + 30 * H, T0, { channelId: 'C404', requestedBy: 'U404' });
    slack.notInChannel.add('C404');
    slack.notInChannel.add('U404');
    expect(await pass(T0 + 29.5 * H)).toMatchObject({ posted: 0, failed: 1 });
    expect(await pass(T0 + 29.6 * H)).toMatchObject({ due: 0 });
  });

  it('after a crash between claiming and posting, another replica posts it once the claim is stale', async () => {
    await schedule('sandy', T0 + 30 * H);
    const [due] = await store.reminders.due(T0 + 29.5 * H, [H], 60_000, 10);
    await store.reminders.claims.claim(
      [{ expiryId: due!.expiry.id, leadMs: H, expiresAt: due!.expiry.expiresAt }],
      'crashed',
      T0 + 29.5 * H,
      60_000,
    );
    expect((await pass(T0 + 29.5 * H + 1_000, deps('replica-b'))).posted).toBe(0);
    expect((await pass(T0 + 29.5 * H + 61_000, deps('replica-b'))).posted).toBe(1);
    expect(reminders()).toHaveLength(1);
  });

  it('two replicas sharing the database post each of many due reminders exactly once', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    for (const k of keys) await schedule(k, T0 + 30 * H);
    // A second replica: its own connections to the same database.
    const replicaB = await connect(dbUrl.split('#')[0]!);
    slack.delayMs = 2; // let the two passes interleave
    const [a, b] = await Promise.all([
      pass(T0 + 29.5 * H, deps('replica-a')),
      pass(T0 + 29.5 * H, { ...deps('replica-b'), store: new ExpiryStore(replicaB.db) }),
    ]).finally(() => replicaB.close());
    expect(a.posted + b.posted).toBe(120);
    const posted = reminders().map((m) => /`(user-\d+)`/.exec(m.blocks![0].text.text)![1]);
    expect(posted.sort()).toEqual(keys);
  });
});
