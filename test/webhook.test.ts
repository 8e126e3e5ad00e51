import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { scanEnvironment } from '../src/services/scan.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { WatchStore } from '../src/store/watch-store.js';
import { validSignature, WEBHOOK_MERGE_MS, WEBHOOK_PATH } from '../src/webhook.js';
import { startBot } from './helpers/bot.js';
import { botPerTest, fakesPerFile } from './helpers/bot-per-test.js';
import { sqliteUrl } from './helpers/databases.js';
import { auditRep } from './helpers/fake-launchdarkly.js';
import { clientFor, PROJECT } from './helpers/ld-fixtures.js';
import { silent } from './helpers/silent-logger.js';

const SECRET = 'whsec-test-0123456789abcdef';
const PROD = { projectKey: PROJECT, environmentKey: 'production' };
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: { LD_WEBHOOK_SECRET: SECRET }, clock: 'wall' });
beforeEach(async () => {
  const watches = new WatchStore(ctx.database.db);
  await watches.add({ channelId: 'C1', ...PROD, createdBy: 'U1', createdAt: Date.now() });
  await scanEnvironment(PROD, {
    now: Date.now(),
    deps: {
      ld: clientFor(ld).client,
      watches,
      mirror: new MirrorStore(ctx.database.db),
      logger: silent,
      owner: 'test',
      fullScanIntervalMs: 86_400_000,
    },
  });
});

/** An expiry set in LaunchDarkly's UI, and the webhook LaunchDarkly would send for it. */
function outsideChange(): string {
  ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
    contextKind: 'user',
    contextKey: 'bob',
    variationId: ld.variationId(PROJECT, 'new-checkout', 0),
    expirationDate: Date.now() + 3_600_000,
  });
  return JSON.stringify(auditRep(ld.auditLog.at(-1)!));
}

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${ctx.bot.url}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
/** Waits `ms` and then until the bot's queue is empty: every re-read asked for is done. */
const waitForReads = async (ms: number) => {
  await new Promise((r) => setTimeout(r, ms));
  await ctx.bot.work.idle();
};
const mirrored = () =>
  new MirrorStore(ctx.bot.database.db).ofResource({ kind: 'flag', key: 'new-checkout', ...PROD });

describe('the LaunchDarkly webhook', () => {
  it('accepts a signed entry and re-reads the flag it names at the end of its merge window', async () => {
    expect(await mirrored()).toEqual([]);
    const body = outsideChange();
    ld.requests.length = 0;
    const res = await post(body, { 'X-LD-Signature': sign(body) });
    expect(res.status).toBe(202);
    for (let i = 0; i < 200 && (await mirrored()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await mirrored()).map((e) => [e.target.key, e.setBy])).toEqual([['bob', 'Ariel Flores']]);
    expect(ld.requests.map((r) => r.path)).toEqual([
      `/api/v2/flags/${PROJECT}/new-checkout/expiring-user-targets/production`,
      `/api/v2/flags/${PROJECT}/new-checkout/expiring-targets/production`,
    ]);
  });

  it('refuses a missing, wrong or other-secret signature with 401 and does nothing', async () => {
    const body = outsideChange();
    ld.requests.length = 0;
    for (const headers of <Array<Record<string, string>>>[
      {},
      { 'X-LD-Signature': 'nothex' },
      { 'X-LD-Signature': sign(body, 'another-secret-0123456789') },
      { 'X-LD-Signature': sign(`${body} `) },
    ]) {
      const res = await post(body, headers);
      expect(res.status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(ld.requests).toEqual([]);
    expect(await mirrored()).toEqual([]);
  });

  it('refuses a body over the size limit, and a signed body that is no audit-log entry', async () => {
    const huge = 'x'.repeat(300 * 1024);
    expect((await post(huge, { 'X-LD-Signature': sign(huge) })).status).toBe(413);
    const odd = JSON.stringify({ hello: 'world' });
    expect((await post(odd, { 'X-LD-Signature': sign(odd) })).status).toBe(400);
  });

  it('merges a flood: 500 signed entries about one flag in 3 s cost a handful of reads, and the last change is read', async () => {
    const entry = JSON.parse(outsideChange());
    ld.requests.length = 0;
    const statuses: number[] = [];
    const started = Date.now();
    for (let batch = 0; batch < 20; batch++) {
      const sent = Array.from({ length: 25 }, (_, i) => {
        const body = JSON.stringify({ ...entry, _id: `flood-${batch}-${i}` });
        return post(body, { 'X-LD-Signature': sign(body) }).then((r) => statuses.push(r.status));
      });
      await Promise.all([...sent, new Promise((r) => setTimeout(r, 150))]);
    }
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    // About 3 s, longer on a busy machine: the windows it touched are counted from what it took.
    const windows = Math.ceil((Date.now() - started) / WEBHOOK_MERGE_MS) + 1;
    await waitForReads(WEBHOOK_MERGE_MS + 1_000);
    const reads = ld.requests.filter((r) => r.path.includes('/new-checkout/expiring-'));
    // One re-read (two endpoints) per 2 s window the flood touched, not one per entry.
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.length).toBeLessThanOrEqual(2 * windows);
    expect((await mirrored()).map((e) => e.target.key)).toEqual(['bob']);
    expect((await ctx.bot.command('help')).status).toBe(200);
  }, 20_000);

  it('an entry naming 2,601 flags is left to the sync: 202, no burst of reads, one log line', async () => {
    const entry = JSON.parse(outsideChange());
    const resources = Array.from(
      { length: 2_601 },
      (_, i) => `proj/${PROJECT}:env/production:flag/${i === 0 ? 'new-checkout' : `bulk-${i}`}`,
    );
    const body = JSON.stringify({ ...entry, target: { ...entry.target, resources } });
    ld.requests.length = 0;
    const res = await post(body, { 'X-LD-Signature': sign(body) });
    expect(res.status).toBe(202);
    await waitForReads(WEBHOOK_MERGE_MS + 1_000);
    expect(ld.requests).toEqual([]);
    const lines = ctx.bot.logs.filter((l) => l.includes('too_many_resources'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).why).toContain('naming 2601 flags or segments');
    expect((await ctx.bot.command('help')).status).toBe(200);
  }, 20_000);

  it('is not there without LD_WEBHOOK_SECRET', async () => {
    const plain = await startBot(slack, ld);
    try {
      const res = await fetch(`${plain.url}${WEBHOOK_PATH}`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('compares signatures of any length safely', () => {
    const body = Buffer.from('{}');
    expect(validSignature(body, sign('{}'), SECRET)).toBe(true);
    expect(validSignature(body, sign('{}').slice(2), SECRET)).toBe(false);
    expect(validSignature(body, undefined, SECRET)).toBe(false);
  });
});
