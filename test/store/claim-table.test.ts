import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.js';
import { type ReminderKey, ReminderStore } from '../../src/store/reminder-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const H = 3_600_000;
const DAY = 24 * H;

/** More keys than one statement takes (200), so every step crosses a batch boundary twice. */
const keys: ReminderKey[] = Array.from({ length: 450 }, (_, i) => ({
  expiryId: `e${i}`,
  leadMs: H,
  expiresAt: NOW + 2 * H + i,
}));

describe.each(DATABASES)('ClaimTable on %s', (_name, url) => {
  let handle: Db;
  afterEach(async () => {
    await handle?.close();
  });

  it('claims, finishes and releases 450 keys across batches, each once', async () => {
    handle = await freshDatabase(url());
    const a = new ReminderStore(handle.db).claims;
    const b = new ReminderStore(handle.db).claims;
    const [mine, theirs] = await Promise.all([
      a.claim(keys, 'a', NOW, 60_000),
      b.claim(keys, 'b', NOW, 60_000),
    ]);
    // Between them, every key once: none twice, none lost.
    expect(mine.length + theirs.length).toBe(450);
    expect(new Set([...mine, ...theirs].map((k) => k.expiryId)).size).toBe(450);

    // Released claims can be taken again at once; finished ones never.
    await a.release(keys.slice(0, 300));
    await b.finish(keys.slice(300), 'posted', '1.1');
    const again = await a.claim(keys, 'c', NOW + 1_000, 60_000);
    expect(again.map((k) => k.expiryId)).toEqual(keys.slice(0, 300).map((k) => k.expiryId));
    // Stale and unfinished: taken over; finished: kept, even when stale.
    const later = await b.claim(keys, 'd', NOW + 61_000 + 1_000, 60_000);
    expect(later).toHaveLength(300);
  });

  it('prunes settled claims only once their instant and their claim are older than the cut-off', async () => {
    handle = await freshDatabase(url());
    const claims = new ReminderStore(handle.db).claims;
    await claims.claim(keys.slice(0, 2), 'a', NOW, 60_000);
    await claims.finish(keys.slice(0, 1), 'posted', '1.1');
    // Claimed before the cut-off, but for an instant (two hours later) after it: kept.
    await claims.prune(NOW + H);
    expect(await claims.claim(keys.slice(0, 2), 'b', NOW + 2 * H, 60_000)).toEqual([keys[1]]);
    await claims.prune(NOW + 2 * H + 1_000);
    // The settled one is gone (its instant has passed: never due again); the held one stays.
    expect(await claims.claim(keys.slice(0, 2), 'c', NOW + 2 * H + 2_000, 60 * DAY)).toEqual([keys[0]]);
  });
});
