import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runFullScanPass } from '../../src/passes/full-scan.js';
import { runWatchSync } from '../../src/passes/watch-sync.js';
import { type ScanDeps, scanEnvironment } from '../../src/services/scan.js';
import type { Db } from '../../src/store/database.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';
import { FakeLaunchDarkly } from '../helpers/fake-launchdarkly.js';
import { PROJECT, seed } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';

const H = 3_600_000;
const T0 = Date.parse('2030-01-10T12:00:00Z');
const PROD = { projectKey: PROJECT, environmentKey: 'production' };

let ld: FakeLaunchDarkly;
beforeAll(async () => {
  ld = await new FakeLaunchDarkly().start();
});
afterAll(() => ld.stop());

describe.each(DATABASES)('watch jobs on %s', (_name, url) => {
  let handle: Db;
  let clock = T0;
  const deps = (owner = 'replica-a'): ScanDeps => ({
    ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, maxRetries: 0 }),
    watches: new WatchStore(handle.db),
    mirror: new MirrorStore(handle.db),
    logger: silent,
    owner,
    fullScanIntervalMs: 24 * H,
  });
  const mirrored = async () =>
    (await new MirrorStore(handle.db).ofResource({ kind: 'flag', key: 'new-checkout', ...PROD })).map((e) => [
      e.target.key,
      e.expiresAt,
      e.setBy,
    ]);

  beforeEach(async () => {
    clock = T0;
    ld.clear();
    seed(ld);
    ld.now = () => clock;
    // 150 flags, 1 in 10 targeting someone in production; two segments with nobody.
    for (let i = 0; i < 150; i++) {
      ld.addFlag(PROJECT, {
        key: `f-${i}`,
        targets: i % 10 === 0 ? { production: [{ variation: 0, values: [`u-${i}`] }] } : {},
      });
    }
    ld.addSegment(PROJECT, 'production', { key: 'empty-1' }).addSegment(PROJECT, 'production', {
      key: 'empty-2',
    });
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'sandy',
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: T0 + 5 * H,
    });
    ld.setExpiring('segment', PROJECT, 'beta-testers', 'production', {
      contextKind: 'organization',
      contextKey: 'acme',
      targetType: 'included',
      expirationDate: T0 + 6 * H,
    });
    ld.setExpiring('flag', PROJECT, 'f-20', 'production', {
      contextKind: 'user',
      contextKey: 'u-20',
      variationId: ld.variationId(PROJECT, 'f-20', 0),
      expirationDate: T0 + 7 * H,
    });
    handle = await freshDatabase(url());
    await new WatchStore(handle.db).add({ channelId: 'C1', ...PROD, createdBy: 'U1', createdAt: T0 });
    clock += 1_000;
    ld.requests.length = 0;
  });
  afterEach(async () => {
    await handle.close();
    expect(ld.schemaViolations).toEqual([]);
  });

  it('scans in full: lists every flag and segment, reads only those that target anyone, once', async () => {
    const [result] = await runFullScanPass({ now: clock, deps: deps() });
    expect(result?.outcome).toMatchObject({
      status: 'done',
      counts: { targets: 3, flags: 2, segments: 1 },
      // new-checkout + 15 f-* flags + beta-testers, each on both endpoints
      reads: 17,
      listed: 3,
    });
    expect(ld.requests).toHaveLength(3 + 17 * 2);
    // Not due again until WATCH_FULL_SCAN_INTERVAL has passed.
    expect(await runFullScanPass({ now: clock + H, deps: deps() })).toEqual([]);
    expect(await runFullScanPass({ now: clock + 25 * H, deps: deps() })).toHaveLength(1);
  });

  it('resumes a scan that stopped where it stopped, and drops what is gone only when it finishes', async () => {
    ld.fail({
      match: (r) => r.path === `/api/v2/flags/${PROJECT}` && r.query.get('offset') === '100',
      status: 403,
    });
    const [first] = await runFullScanPass({ now: clock, deps: deps() });
    expect(first?.outcome.status).toBe('failed');
    expect((await new WatchStore(handle.db).environment(PROD))?.scan).toMatchObject({
      phase: 'flags',
      offset: 100,
    });
    ld.requests.length = 0;
    const [second] = await runFullScanPass({ now: clock, deps: deps('after-restart') });
    expect(second?.outcome).toMatchObject({ status: 'done', counts: { targets: 3 } });
    expect(ld.requests[0]!.query.get('offset')).toBe('100');
  });

  it('lets one replica scan an environment at a time', async () => {
    const [a, b] = await Promise.all([
      scanEnvironment(PROD, { now: clock, deps: deps('a') }),
      scanEnvironment(PROD, { now: clock, deps: deps('b') }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['busy', 'done']);
  });

  it('syncs from the audit log: one request when nothing changed; outside changes re-read only what they name', async () => {
    await runFullScanPass({ now: clock, deps: deps() });
    // The first sync overlaps the scan by a minute (clocks differ): it re-reads what changed then.
    expect(await runWatchSync({ now: clock, deps: deps() })).toMatchObject({ entries: 3, reads: 3 });
    clock += 60_000;
    ld.requests.length = 0;
    // How far behind each environment is: a minute since the last sync, then none once this one is through.
    const lags: number[] = [];
    const lag = (_e: unknown, seconds: number) => lags.push(seconds);
    expect(await runWatchSync({ now: clock, deps: { ...deps(), lag } })).toMatchObject({
      entries: 0,
      reads: 0,
    });
    expect(ld.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v2/auditlog']);
    expect(lags).toEqual([60, 0]);

    // Outside the bot: bob added, sandy moved; then a sync.
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'bob',
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: T0 + 8 * H,
    });
    ld.moveExpiring(
      'flag',
      PROJECT,
      'new-checkout',
      'production',
      { contextKind: 'user', contextKey: 'sandy' },
      T0 + 9 * H,
    );
    clock += 60_000;
    ld.requests.length = 0;
    expect(await runWatchSync({ now: clock, deps: deps() })).toMatchObject({ entries: 2, reads: 1 });
    expect(ld.requests).toHaveLength(3);
    expect(await mirrored()).toEqual([
      ['bob', T0 + 8 * H, 'Ariel Flores'],
      ['sandy', T0 + 9 * H, 'Ariel Flores'],
    ]);

    // The same entries are not read twice.
    clock += 60_000;
    ld.requests.length = 0;
    expect(await runWatchSync({ now: clock, deps: deps() })).toMatchObject({ entries: 0 });
    expect(ld.requests).toHaveLength(1);

    // Removed outside the bot.
    ld.removeExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'bob',
    });
    await runWatchSync({ now: clock + 1, deps: deps() });
    expect(await mirrored()).toEqual([['sandy', T0 + 9 * H, 'Ariel Flores']]);
  });

  it('does not lose an entry written in the same millisecond as the last one read', async () => {
    await runFullScanPass({ now: clock, deps: deps() });
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'bob',
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: T0 + 8 * H,
    });
    await runWatchSync({ now: clock, deps: deps() });
    // Same millisecond, after our read.
    ld.removeExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'bob',
    });
    expect(await runWatchSync({ now: clock, deps: deps() })).toMatchObject({ entries: 1, reads: 1 });
    expect((await mirrored()).map(([key]) => key)).toEqual(['sandy']);
  });

  it('a flag deleted in LaunchDarkly leaves the mirror at the next full scan', async () => {
    await runFullScanPass({ now: clock, deps: deps() });
    ld.clear();
    seed(ld);
    ld.now = () => clock;
    const [result] = await runFullScanPass({ now: clock + 25 * H, deps: deps() });
    expect(result?.outcome).toMatchObject({ status: 'done', counts: { targets: 0, flags: 0, segments: 0 } });
  });
});
