/**
 * Nothing acknowledged is lost (issue 13, PRODUCT.md §10): the real bot as a child process
 * (`node --import tsx src/main.ts`) against the fake Slack and fake LaunchDarkly in this process,
 * killed (SIGKILL) or stopped (SIGTERM) at exact points of its work — held there by the fakes —
 * then started again on the same database. Each test ends with every target scheduled exactly
 * once in LaunchDarkly (no instruction applied twice), the bot's store agreeing with LaunchDarkly,
 * and exactly one result message in the channel.
 */
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { botEnv } from '../helpers/bot.js';
import { type BotProcess, startBotProcess } from '../helpers/bot-process.js';
import { freshDatabase } from '../helpers/databases.js';
import { FakeLaunchDarkly, type RecordedRequest } from '../helpers/fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, FakeSlack, type PostedMessage } from '../helpers/fake-slack.js';
import { SIGNING_SECRET } from '../helpers/slack-requests.js';

const PROJECT = 'default';
const ENV = 'production';
/** Long enough for two start-ups and a lease on a loaded 2-core machine. */
const TEST_TIMEOUT = 300_000;
const WAIT_MS = 120_000;

interface Fakes {
  slack: FakeSlack;
  ld: FakeLaunchDarkly;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
});

/** Fakes of one test's own, so that tests run side by side without seeing each other's requests. */
async function fakes(): Promise<Fakes> {
  const slack = await new FakeSlack().start();
  const ld = await new FakeLaunchDarkly().start();
  ld.addProject(PROJECT, [ENV]);
  slack.users.set('U1', { tz: 'Europe/Berlin', name: 'alice' });
  cleanups.push(
    () => slack.stop(),
    () => ld.stop(),
  );
  return { slack, ld };
}

function sqliteUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'ld-expiry-crash-')), 'bot.sqlite')}`;
}

/** A bot process wired to the fakes and `databaseUrl`, with a short lease; killed after the file. */
async function bot(f: Fakes, databaseUrl: string, env: Record<string, string> = {}): Promise<BotProcess> {
  const child = await startBotProcess(
    botEnv(f.slack, f.ld, {
      DATABASE_URL: databaseUrl,
      WORK_LEASE: '2s',
      LOG_LEVEL: 'info',
      REMINDER_CHECK_INTERVAL: '1h',
      ...env,
    }),
  );
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

/** A flag whose targets are individually targeted on its first variation, as the command needs. */
function flagWith(ld: FakeLaunchDarkly, key: string, users: string[], orgs: string[] = []): string[] {
  ld.addFlag(PROJECT, {
    key,
    targets: {
      [ENV]: [
        { variation: 0, values: users },
        ...(orgs.length ? [{ variation: 0, values: orgs, contextKind: 'organization' }] : []),
      ],
    },
  });
  return [...users, ...orgs.map((o) => `organization:${o}`)];
}

const keys = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);

let triggers = 0;
/** Sends `/expire flag <key> <targets> in 2 weeks` to `channel`; returns the job's id. */
async function schedule(child: BotProcess, f: Fakes, key: string, targets: string[], channel: string) {
  const trigger = `crash.${++triggers}.${Date.now()}`;
  const res = await child.command(`flag ${key} ${targets.join(',')} in 2 weeks`, {
    channel_id: channel,
    trigger_id: trigger,
    response_url: f.slack.responseUrl(),
  });
  expect(res.status).toBe(200);
  expect(res.json().text).toContain('Scheduling');
  return `command:${trigger}`;
}

const isExpiryPatch = (key: string) => (r: RecordedRequest) =>
  r.method === 'PATCH' && r.path.startsWith(`/api/v2/flags/${PROJECT}/${key}/expiring-`);

/** Instructions per target label in the PATCHes LaunchDarkly received (`applied`: and carried out). */
function instructions(ld: FakeLaunchDarkly, key: string, which: 'sent' | 'applied'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of ld.requests.filter(isExpiryPatch(key))) {
    if (which === 'applied' && r.status !== 200) continue;
    const errors = (r.response as { errors?: Array<{ instructionIndex: number }> } | undefined)?.errors ?? [];
    const refused = new Set(errors.map((e) => e.instructionIndex - ld.instructionIndexBase));
    (r.body.instructions as any[]).forEach((ins, i) => {
      if (which === 'applied' && refused.has(i)) return;
      const label =
        ins.userKey ?? (ins.contextKind === 'user' ? ins.contextKey : `${ins.contextKind}:${ins.contextKey}`);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    });
  }
  return counts;
}

const inChannel = (slack: FakeSlack, channel: string): PostedMessage[] =>
  slack.messages.filter((m) => m.channel === channel && !m.ephemeral);

const resultText = (key: string, n: number) =>
  new RegExp(
    `^Scheduled ${n.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} targets? on flag ${key} in ${ENV}\\.$`,
  );

/** Resolves once the channel holds the result (posted, or a progress message finished in place). */
function resultIn(slack: FakeSlack, channel: string, key: string, n: number) {
  return slack.waitFor(
    () => inChannel(slack, channel).some((m) => resultText(key, n).test(m.text ?? '')),
    WAIT_MS,
  );
}

async function jobRow(db: Db, id: string) {
  return db.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobDone = (db: Db, id: string) =>
  until(async () => (await jobRow(db, id))?.state === 'done', `job ${id} to be done`);

/** SIGTERM, and the time the process took to exit. */
async function stop(child: BotProcess) {
  const asked = Date.now();
  child.kill('SIGTERM');
  const exit = await child.exited;
  return { ...exit, ms: exit.at - asked };
}

/**
 * What every test ends with: each target scheduled once in LaunchDarkly at the same instant,
 * no instruction applied twice, the store holding exactly what LaunchDarkly holds, one result
 * message in the channel, no failure told to anyone, nothing either fake refused.
 */
async function expectExactlyOnce(
  f: Fakes,
  db: Db,
  key: string,
  targets: string[],
  channels: string | Array<{ channel: string; n: number }>,
) {
  const { ld, slack } = f;
  const held = ld.expiringTargets('flag', PROJECT, key, ENV);
  const label = (e: { contextKind: string; contextKey: string }) =>
    e.contextKind === 'user' ? e.contextKey : `${e.contextKind}:${e.contextKey}`;
  expect(held.map(label).sort()).toEqual([...targets].sort());
  // One command: one instant for all its targets.
  if (typeof channels === 'string') expect(new Set(held.map((e) => e.expirationDate)).size).toBe(1);

  const applied = instructions(ld, key, 'applied');
  expect([...applied.keys()].sort()).toEqual([...targets].sort());
  expect([...applied.values()].filter((n) => n !== 1)).toEqual([]);

  const stored = (await new ExpiryStore(db.db).upcoming(0, { limit: 10_000, offset: 0 })).items.filter(
    (e) => e.resource.key === key,
  );
  expect(
    stored
      .map(
        (e) =>
          `${e.target.contextKind === 'user' ? e.target.key : `${e.target.contextKind}:${e.target.key}`}@${e.expiresAt}`,
      )
      .sort(),
  ).toEqual(held.map((e) => `${label(e)}@${e.expirationDate}`).sort());

  const perChannel = typeof channels === 'string' ? [{ channel: channels, n: targets.length }] : channels;
  for (const { channel, n } of perChannel) {
    const messages = inChannel(slack, channel);
    expect(messages.map((m) => m.text)).toHaveLength(1);
    expect(messages[0]!.text).toMatch(resultText(key, n));
  }
  const told = slack.responseUrlPosts.map((p) => String(p.body.text));
  expect(told.filter((t) => t.startsWith(':x:'))).toEqual([]);
  expect(slack.violations).toEqual([]);
  expect(ld.schemaViolations).toEqual([]);
}

function expectNoSecrets(...children: BotProcess[]) {
  for (const child of children)
    for (const secret of [FAKE_BOT_TOKEN, SIGNING_SECRET, 'api-fake-0123456789abcdef'])
      expect(child.output()).not.toContain(secret);
}

describe.concurrent('the bot killed and started again on SQLite', () => {
  it(
    'SIGKILL after the ack, before any LaunchDarkly call: the next start does the change once',
    async () => {
      const f = await fakes();
      const key = 'crash-before-ld';
      const targets = flagWith(f.ld, key, keys('a', 3), ['acme']);
      const url = sqliteUrl();
      const first = await bot(f, url);
      const db = await freshDatabase(url);
      cleanups.push(() => db.close());
      // LaunchDarkly "slow": its first request after the ack is held, and the bot killed meanwhile.
      const hold = f.ld.hold(() => true);
      const job = await schedule(first, f, key, targets, 'C-A');
      await hold.reached;
      expect((await jobRow(db, job))?.state).toBe('running');
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      hold.drop();
      expect(f.ld.patches()).toEqual([]);

      const second = await bot(f, url);
      await resultIn(f.slack, 'C-A', key, targets.length);
      await jobDone(db, job);
      expect((await jobRow(db, job))?.attempts).toBe(2);
      expect((await stop(second)).code).toBe(0);
      await expectExactlyOnce(f, db, key, targets, 'C-A');
      expect(instructions(f.ld, key, 'sent')).toEqual(instructions(f.ld, key, 'applied'));
      expect(second.output()).toContain('resuming work');
      expectNoSecrets(first, second);
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGKILL between two batches (150 users, 50 contexts): the next start sends only the second, finishing the progress message',
    async () => {
      const f = await fakes();
      const key = 'crash-between-batches';
      const users = keys('u', 150);
      const orgs = keys('o', 50);
      const targets = flagWith(f.ld, key, users, orgs);
      const url = sqliteUrl();
      const first = await bot(f, url);
      const db = await freshDatabase(url);
      cleanups.push(() => db.close());
      // Users go first (the user endpoint), contexts second: the second PATCH is held.
      const hold = f.ld.hold((r) => isExpiryPatch(key)(r) && r.path.endsWith('/expiring-targets/production'));
      const job = await schedule(first, f, key, targets, 'C-B');
      await hold.reached;
      expect(f.ld.expiringTargets('flag', PROJECT, key, ENV)).toHaveLength(150);
      // The progress message is in the channel and written down with the job.
      const progressTs = await until(async () => {
        const notes = JSON.parse((await jobRow(db, job))?.notes ?? '{}');
        return typeof notes.progressTs === 'string' && notes.planned
          ? (notes.progressTs as string)
          : undefined;
      }, 'the progress message to be noted');
      first.kill('SIGKILL');
      await first.exited;
      hold.drop(); // LaunchDarkly never got the second batch

      const second = await bot(f, url);
      await resultIn(f.slack, 'C-B', key, targets.length);
      await jobDone(db, job);
      expect((await stop(second)).code).toBe(0);
      await expectExactlyOnce(f, db, key, targets, 'C-B');
      // The first batch went once; the second twice (lost once with the killed process), applied once.
      const sent = instructions(f.ld, key, 'sent');
      for (const u of users) expect(sent.get(u)).toBe(1);
      for (const o of orgs) expect(sent.get(`organization:${o}`)).toBe(2);
      const message = inChannel(f.slack, 'C-B')[0]!;
      expect(message.ts).toBe(progressTs);
      expect(
        f.slack
          .callsTo('chat.update')
          .some((c) => c.args.ts === progressTs && /^Scheduled/.test(c.args.text)),
      ).toBe(true);
      expectNoSecrets(first, second);
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGKILL after LaunchDarkly answered, before Slack got the result: recorded already, one result after the restart',
    async () => {
      const f = await fakes();
      const key = 'crash-before-result';
      const targets = flagWith(f.ld, key, keys('c', 4));
      const url = sqliteUrl();
      const first = await bot(f, url);
      const db = await freshDatabase(url);
      cleanups.push(() => db.close());
      const hold = f.slack.hold(
        (c) =>
          (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
          c.args.channel === 'C-C' &&
          /^Scheduled/.test(String(c.args.text)),
      );
      const job = await schedule(first, f, key, targets, 'C-C');
      await hold.reached;
      expect(f.ld.expiringTargets('flag', PROJECT, key, ENV)).toHaveLength(targets.length);
      // Recorded before it is reported.
      const stored = await new ExpiryStore(db.db).upcoming(0, { limit: 100, offset: 0 });
      expect(stored.items.filter((e) => e.resource.key === key)).toHaveLength(targets.length);
      first.kill('SIGKILL');
      await first.exited;
      hold.drop(); // Slack never got it

      const second = await bot(f, url);
      await resultIn(f.slack, 'C-C', key, targets.length);
      await jobDone(db, job);
      expect((await stop(second)).code).toBe(0);
      await expectExactlyOnce(f, db, key, targets, 'C-C');
      expect(instructions(f.ld, key, 'sent')).toEqual(instructions(f.ld, key, 'applied'));
      expectNoSecrets(first, second);
    },
    TEST_TIMEOUT,
  );

  // The result is marked with its job (message metadata) and the job notes before posting that it
  // may have posted: a kill between Slack posting it and the bot hearing back leaves the message
  // in the channel unnoted, and the next start finds it in the channel's history and updates it.
  it(
    'SIGKILL after Slack posted the result, before the bot heard back: the next start finds it, one result',
    async () => {
      const f = await fakes();
      const key = 'crash-after-result';
      const targets = flagWith(f.ld, key, keys('d', 2));
      const url = sqliteUrl();
      const first = await bot(f, url);
      const db = await freshDatabase(url);
      cleanups.push(() => db.close());
      const hold = f.slack.holdAnswer(
        (c) =>
          (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
          c.args.channel === 'C-D' &&
          /^Scheduled/.test(String(c.args.text)),
      );
      const job = await schedule(first, f, key, targets, 'C-D');
      await hold.reached;
      expect(inChannel(f.slack, 'C-D')).toHaveLength(1);
      first.kill('SIGKILL');
      await first.exited;
      hold.drop();

      const second = await bot(f, url);
      await jobDone(db, job);
      expect((await stop(second)).code).toBe(0);
      await expectExactlyOnce(f, db, key, targets, 'C-D');
      const texts = inChannel(f.slack, 'C-D').map((m) => m.text);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(resultText(key, targets.length));
      expectNoSecrets(first, second);
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGTERM while a PATCH takes 15 s: exits within the grace, hands the work back, the next start finishes it once',
    async () => {
      const f = await fakes();
      const key = 'stop-slow-patch';
      const targets = flagWith(f.ld, key, keys('s', 3));
      const url = sqliteUrl();
      const first = await bot(f, url);
      const db = await freshDatabase(url);
      cleanups.push(() => db.close());
      const hold = f.ld.hold(isExpiryPatch(key));
      const job = await schedule(first, f, key, targets, 'C-S');
      await hold.reached;
      const patchArrived = Date.now();
      await until(
        async () => JSON.parse((await jobRow(db, job))?.notes ?? '{}').progressTs,
        'the progress message to be noted',
      );
      const stopped = await stop(first);
      // The stop gives running work 7 s, then hands it back; it must not outlast 10 s (slack for load).
      expect(stopped.ms).toBeLessThan(12_000);
      expect(stopped.code).toBe(0);
      expect(first.output()).not.toMatch(/\blost\b/);
      // Either the PATCH outlived the grace and the job was handed back at once (not when its lease
      // runs out), or LaunchDarkly's 8-s deadline came first and the job waits for its retry.
      const row = await jobRow(db, job);
      if (row?.state === 'running') {
        expect(first.output()).toContain('unfinished work handed back');
        expect(row.lease_until).toBe(0);
      } else {
        expect(row?.state).toBe('queued');
        expect(row?.lease_owner).toBeNull();
      }
      // LaunchDarkly carries the PATCH out 15 s after it arrived, its client long gone.
      await new Promise((r) => setTimeout(r, Math.max(0, patchArrived + 15_000 - Date.now())));
      hold.release();
      await until(async () => f.ld.expiringTargets('flag', PROJECT, key, ENV).length === 3, 'the slow PATCH');

      const second = await bot(f, url);
      await resultIn(f.slack, 'C-S', key, targets.length);
      await jobDone(db, job);
      expect((await stop(second)).code).toBe(0);
      await expectExactlyOnce(f, db, key, targets, 'C-S');
      // Read first, found done: nothing sent again.
      expect(instructions(f.ld, key, 'sent')).toEqual(instructions(f.ld, key, 'applied'));
      expectNoSecrets(first, second);
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGTERM with commands queued behind the running ones: all done after the next start, each once, one result each',
    async () => {
      const f = await fakes();
      const key = 'stop-queued';
      // More than the worker runs at once: eight wait in line when the stop comes.
      const concurrency = 8;
      const users = keys('q', concurrency + 8);
      flagWith(f.ld, key, users);
      const url = sqliteUrl();
      const first = await bot(f, url, { WORK_CONCURRENCY: String(concurrency) });
      const db = await freshDatabase(url);
      cleanups.push(() => db.close());
      // Each PATCH 3 s. (Only PATCHes: a slow answer on whether
      // the environment is critical makes the bot ask for a confirmation, the safe mistake.)
      f.ld.delayOf = (r) => (isExpiryPatch(key)(r) ? 3_000 : 0);
      const channels = users.map((_, i) => `C-Q${i + 1}`);
      const jobs = await Promise.all(users.map((u, i) => schedule(first, f, key, [u], channels[i]!)));
      const stopped = await stop(first);
      expect(stopped.ms).toBeLessThan(12_000);
      expect(stopped.code).toBe(0);
      const left = await db.db.selectFrom('jobs').select('state').where('state', '!=', 'done').execute();
      expect(left.length).toBeGreaterThan(0);
      f.ld.delayOf = () => 0;

      const second = await bot(f, url);
      for (const job of jobs) await jobDone(db, job);
      for (const channel of channels) await resultIn(f.slack, channel, key, 1);
      expect((await stop(second)).code).toBe(0);
      await expectExactlyOnce(
        f,
        db,
        key,
        users,
        channels.map((channel) => ({ channel, n: 1 })),
      );
      expectNoSecrets(first, second);
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent('two replicas on PostgreSQL', () => {
  const base = process.env.TEST_DATABASE_URL;
  it.skipIf(!base)(
    'one killed mid-change (between two batches): the other takes it over once its lease runs out, once, one result',
    async () => {
      const f = await fakes();
      const key = 'replica-killed';
      const users = keys('r', 150);
      const orgs = keys('p', 50);
      const targets = flagWith(f.ld, key, users, orgs);
      const schema = `crash_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      const url = new URL(base!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      url.hash = schema;
      const db = await freshDatabase(url.toString());
      cleanups.push(() => db.close());
      const childUrl = url.toString().split('#')[0]!;
      const replicas = await Promise.all([bot(f, childUrl), bot(f, childUrl)]);
      const hold = f.ld.hold((r) => isExpiryPatch(key)(r) && r.path.endsWith('/expiring-targets/production'));
      const job = await schedule(replicas[0]!, f, key, targets, 'C-R');
      await hold.reached;
      // Whichever replica claimed it is killed; the other is healthy and must finish it.
      const owner = (await jobRow(db, job))?.lease_owner;
      const dead = replicas.find((r) => owner === `${hostname()}:${r.pid}`)!;
      const survivor = replicas.find((r) => r !== dead)!;
      expect(dead).toBeDefined();
      await until(
        async () => JSON.parse((await jobRow(db, job))?.notes ?? '{}').progressTs,
        'the progress message to be noted',
      );
      dead.kill('SIGKILL');
      await dead.exited;
      const killedAt = Date.now();
      const leaseUntil = (await jobRow(db, job))!.lease_until;
      hold.drop();

      await resultIn(f.slack, 'C-R', key, targets.length);
      await jobDone(db, job);
      const row = (await jobRow(db, job))!;
      expect(row.attempts).toBe(2);
      // Taken over only once the dead replica's lease had run out, not before.
      const takenOver = f.ld.requests.find((r) => r.path.includes(`/${key}`) && r.at! > killedAt)!;
      expect(takenOver.at!).toBeGreaterThanOrEqual(leaseUntil);
      expect(survivor.output()).toContain('resuming work');
      expect((await stop(survivor)).code).toBe(0);
      await expectExactlyOnce(f, db, key, targets, 'C-R');
      const sent = instructions(f.ld, key, 'sent');
      for (const u of users) expect(sent.get(u)).toBe(1);
      expectNoSecrets(...replicas);
    },
    TEST_TIMEOUT,
  );
});
