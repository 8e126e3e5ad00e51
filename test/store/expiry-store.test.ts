import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.js';
import { connect } from '../../src/store/database.js';
import { ExpiryStore, type NewExpiry } from '../../src/store/expiry-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const H = 3_600_000;
const flag = {
  kind: 'flag' as const,
  projectKey: 'default',
  key: 'new-checkout',
  environmentKey: 'production',
};
const expiry = (key: string, expiresAt: number, extra: Partial<NewExpiry> = {}): NewExpiry => ({
  resource: flag,
  target: { contextKind: 'user', key },
  expiresAt,
  variationId: 'v-on',
  variationName: 'on',
  requestedBy: 'U1',
  channelId: 'C1',
  messageTs: '1.1',
  ...extra,
});

/**
 * The tables of this test's own schema. Not Kysely's introspection: on PostgreSQL it reads every
 * schema of the database, and fails when another test file drops its schema meanwhile.
 */
async function tablesOf(handle: Db): Promise<string[]> {
  const query =
    handle.dialect === 'postgres'
      ? sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`
      : sql<{ name: string }>`select name from sqlite_master where type = 'table'`;
  return (await query.execute(handle.db)).rows.map((r) => r.name);
}

describe.each(DATABASES)('ExpiryStore on %s', (_name, url) => {
  let handle: Db;
  afterEach(async () => {
    await handle?.close();
  });

  it('migrates once even when two replicas start together, and again is a no-op', async () => {
    const dbUrl = url();
    handle = await freshDatabase(dbUrl);
    const [a, b] = await Promise.all([connect(dbUrl.split('#')[0]!), connect(dbUrl.split('#')[0]!)]);
    await Promise.all([a.close(), b.close()]);
    expect(await tablesOf(handle)).toEqual(expect.arrayContaining(['expiries', 'reminders']));
  });

  it('upserts by target: a second schedule replaces the first', async () => {
    handle = await freshDatabase(url());
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy', NOW + 48 * H), expiry('bob', NOW + 24 * H)], NOW);
    await store.upsert([expiry('sandy', NOW + 72 * H, { messageTs: '2.2' })], NOW + 1);
    const { items, total } = await store.upcoming(NOW, { limit: 10, offset: 0 });
    expect(total).toBe(2);
    expect(items.map((i) => [i.target.key, i.expiresAt, i.messageTs])).toEqual([
      ['bob', NOW + 24 * H, '1.1'],
      ['sandy', NOW + 72 * H, '2.2'],
    ]);
    expect(typeof items[0]!.expiresAt).toBe('number');
    await store.removeTargets(flag, [{ contextKind: 'user', key: 'bob' }]);
    expect((await store.upcoming(NOW, { limit: 10, offset: 0 })).total).toBe(1);
  });

  it('finds due reminders per lead time, never for a moment that had passed when it was set', async () => {
    handle = await freshDatabase(url());
    const store = new ExpiryStore(handle.db);
    await store.upsert(
      [expiry('soon', NOW + 30 * 60_000), expiry('later', NOW + 20 * H), expiry('far', NOW + 48 * H)],
      NOW - 48 * H,
    );
    await store.upsert([expiry('fresh', NOW + 30 * 60_000)], NOW);
    const due = await store.reminders.due(NOW, [24 * H, H], 60_000, 100);
    expect(due.map((d) => [d.expiry.target.key, d.leadMs / H]).sort()).toEqual([
      ['later', 24],
      ['soon', 1],
      ['soon', 24],
    ]);
  });

  it('lets exactly one claimer have a reminder, and takes over a stale claim', async () => {
    handle = await freshDatabase(url());
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy', NOW + 30 * 60_000)], NOW - H);
    const e = (await store.reminders.due(NOW, [H], 60_000, 10))[0]?.expiry;
    const key = { expiryId: e!.id, leadMs: H, expiresAt: e!.expiresAt };
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.reminders.claims.claim([key], `r${i}`, NOW, 60_000).then((held) => held.length === 1),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.reminders.due(NOW, [H], 60_000, 10)).toEqual([]);
    // The claimer crashed: after the stale time someone else may take it, once.
    expect(await store.reminders.due(NOW + 61_000, [H], 60_000, 10)).toHaveLength(1);
    expect(
      await store.reminders.claims
        .claim([key], 'late', NOW + 61_000, 60_000)
        .then((held) => held.length === 1),
    ).toBe(true);
    expect(
      await store.reminders.claims
        .claim([key], 'later', NOW + 62_000, 60_000)
        .then((held) => held.length === 1),
    ).toBe(false);
    await store.reminders.claims.finish([key], 'posted', '9.9');
    expect(await store.reminders.due(NOW + 10 * H, [H], 60_000, 10)).toEqual([]);
  });

  it('a moved expiry gets fresh reminders', async () => {
    handle = await freshDatabase(url());
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy', NOW + 30 * 60_000)], NOW - H);
    const e = (await store.reminders.due(NOW, [H], 60_000, 10))[0]?.expiry;
    await store.reminders.claims.claim(
      [{ expiryId: e!.id, leadMs: H, expiresAt: e!.expiresAt }],
      'a',
      NOW,
      60_000,
    );
    await store.reminders.claims.finish(
      [{ expiryId: e!.id, leadMs: H, expiresAt: e!.expiresAt }],
      'posted',
      '1.2',
    );
    await store.setExpiresAt(e!.id, NOW + 2 * H, NOW);
    expect(await store.reminders.due(NOW + 1.5 * H, [H], 60_000, 10)).toHaveLength(1);
  });
});
