import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const H = 3_600_000;
const PROD = { projectKey: 'default', environmentKey: 'production' };
const flag = (key: string) => ({ kind: 'flag' as const, key, ...PROD });
const user = (key: string, expiresAt: number) => ({
  target: { contextKind: 'user', key },
  expiresAt,
  variationId: 'v-on',
});

describe.each(DATABASES)('watches and the mirror on %s', (_name, url) => {
  let handle: Db;
  let watches: WatchStore;
  let mirror: MirrorStore;
  beforeEach(async () => {
    handle = await freshDatabase(url());
    watches = new WatchStore(handle.db);
    mirror = new MirrorStore(handle.db);
  });
  afterEach(async () => {
    await handle.close();
  });

  const watch = (channelId: string) => watches.add({ channelId, ...PROD, createdBy: 'U1', createdAt: NOW });

  it('starts a watch once per channel and environment; the last unwatch forgets the environment', async () => {
    expect(await watch('C1')).toBe(true);
    expect(await watch('C1')).toBe(false);
    expect(await watch('C2')).toBe(true);
    expect(await watches.ofChannel('C1')).toEqual([
      { channelId: 'C1', ...PROD, createdBy: 'U1', createdAt: NOW },
    ]);
    expect(await watches.channelsWatching(PROD)).toEqual(['C1', 'C2']);
    await mirror.replaceResource(flag('f1'), 'F1', [user('sandy', NOW + H)], 1, NOW);

    expect(await watches.remove('C1', PROD)).toBe(true);
    expect(await watches.remove('C1', PROD)).toBe(false);
    expect(await mirror.ofResource(flag('f1'))).toHaveLength(1);
    expect(await watches.remove('C2', PROD)).toBe(true);
    expect(await mirror.ofResource(flag('f1'))).toHaveLength(0);
    expect(await watches.environments()).toEqual([]);
  });

  it('gives the lease to one replica at a time; a lapsed lease is anyone’s', async () => {
    await watch('C1');
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => watches.acquireLease(PROD, owner, NOW, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = ['a', 'b', 'c', 'd'][results.indexOf(true)]!;
    expect(await watches.acquireLease(PROD, holder, NOW + 1_000, 60_000)).toBe(true);
    expect(await watches.acquireLease(PROD, 'z', NOW + 30_000, 60_000)).toBe(false);
    expect(await watches.acquireLease(PROD, 'z', NOW + 61_001, 60_000)).toBe(true);
    await watches.releaseLease(PROD, 'z');
    expect(await watches.acquireLease(PROD, 'y', NOW + 61_002, 60_000)).toBe(true);
  });

  it('keeps scan progress and the sync cursor', async () => {
    await watch('C1');
    const gen = await watches.startScan(PROD, NOW);
    expect(gen).toBe(1);
    await watches.saveScanProgress(PROD, 'segments', 200);
    await watches.saveSyncCursor(PROD, NOW - 5, ['a', 'b'], NOW);
    expect(await watches.environment(PROD)).toMatchObject({
      scan: { gen: 1, phase: 'segments', offset: 200, startedAt: NOW, finishedAt: undefined },
      sync: { after: NOW - 5, ids: ['a', 'b'], at: NOW },
    });
    await watches.finishScan(PROD, NOW + 10);
    expect((await watches.environment(PROD))?.scan).toMatchObject({ phase: undefined, finishedAt: NOW + 10 });
    expect(await watches.startScan(PROD, NOW + 20)).toBe(2);
  });

  it('replaces a resource’s targets: unchanged instants keep when they were seen and who set them', async () => {
    await watch('C1');
    expect(
      await mirror.replaceResource(
        flag('f1'),
        'F1',
        [user('sandy', NOW + H), user('bob', NOW + 2 * H)],
        1,
        NOW,
        'Ariel',
      ),
    ).toEqual({ added: 2, moved: 0, removed: 0 });
    const [sandy] = await mirror.ofResource(flag('f1'));
    expect(
      await mirror.replaceResource(
        flag('f1'),
        'F1',
        [user('sandy', NOW + H), user('eve', NOW + 3 * H)],
        1,
        NOW + 5,
        'Bo',
      ),
    ).toEqual({ added: 1, moved: 0, removed: 1 });
    const after = await mirror.ofResource(flag('f1'));
    expect(after.map((e) => [e.target.key, e.setBy, e.observedAt])).toEqual([
      ['sandy', 'Ariel', NOW],
      ['eve', 'Bo', NOW + 5],
    ]);
    expect(after[0]!.id).toBe(sandy!.id);
    expect(await mirror.replaceResource(flag('f1'), 'F1', [user('sandy', NOW + 4 * H)], 1, NOW + 6)).toEqual({
      added: 0,
      moved: 1,
      removed: 1,
    });
    expect(await mirror.counts(PROD, NOW)).toEqual({ targets: 1, flags: 1, segments: 0 });
  });

  it('drops what an older scan saw and this one did not', async () => {
    await watch('C1');
    await mirror.replaceResource(flag('old'), undefined, [user('sandy', NOW + H)], 1, NOW);
    await mirror.replaceResource(flag('kept'), undefined, [user('sandy', NOW + H)], 2, NOW);
    expect(await mirror.dropOlderThan(PROD, 2, NOW)).toBe(1);
    expect(await mirror.ofResource(flag('old'))).toEqual([]);
    expect(await mirror.ofResource(flag('kept'))).toHaveLength(1);
  });

  it('keeps an expiry whose instant has passed until the after-expiry pass has told the watching channels', async () => {
    await watch('C1');
    await mirror.replaceResource(
      flag('f1'),
      undefined,
      [user('sandy', NOW + H), user('bob', NOW + 2 * H)],
      1,
      NOW,
    );
    // LaunchDarkly carried sandy's out; bob's expiry was cancelled before its time.
    expect(await mirror.replaceResource(flag('f1'), undefined, [], 1, NOW + H + 5)).toMatchObject({
      removed: 2,
    });
    expect((await mirror.ofResource(flag('f1'))).map((e) => e.target.key)).toEqual(['sandy']);
    // A full scan that no longer sees the flag keeps it too.
    expect(await mirror.dropOlderThan(PROD, 2, NOW + H + 10)).toBe(0);
    expect(await mirror.ofResource(flag('f1'))).toHaveLength(1);
    expect(await mirror.counts(PROD, NOW + H + 10)).toEqual({ targets: 0, flags: 0, segments: 0 });
  });

  it('finds reminders due per watching channel, skipping the channel whose thread reminds it', async () => {
    await watch('C1');
    await watch('C2');
    await mirror.replaceResource(
      flag('f1'),
      undefined,
      [user('sandy', NOW + 30 * 60_000), user('bob', NOW + 3 * H)],
      1,
      NOW - 2 * H,
    );
    await new ExpiryStore(handle.db).upsert(
      [
        {
          resource: flag('f1'),
          target: { contextKind: 'user', key: 'sandy' },
          expiresAt: NOW + 30 * 60_000,
          requestedBy: 'U1',
          channelId: 'C2',
          messageTs: '1.1',
        },
      ],
      NOW - 2 * H,
    );
    const due = await mirror.reminders.due(NOW, [H], 60_000, 100);
    expect(due.map((d) => [d.channelId, d.expiry.target.key])).toEqual([['C1', 'sandy']]);

    const key = {
      channelId: 'C1',
      expiryId: due[0]!.expiry.id,
      leadMs: H,
      expiresAt: due[0]!.expiry.expiresAt,
    };
    const other = new MirrorStore(handle.db);
    const [a, b] = await Promise.all([
      mirror.reminders.claims.claim([key], 'a', NOW, 60_000),
      other.reminders.claims.claim([key], 'b', NOW, 60_000),
    ]);
    expect(a.length + b.length).toBe(1);
    expect(await mirror.reminders.due(NOW, [H], 60_000, 100)).toEqual([]);
    await mirror.reminders.claims.finish([key], 'posted', '9.9');
    expect(await mirror.reminders.due(NOW + 10 * 60_000, [H], 60_000, 100)).toEqual([]);
  });
});
