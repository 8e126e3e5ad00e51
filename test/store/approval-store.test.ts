import { afterEach, describe, expect, it } from 'vitest';
import type { Approval } from '../../src/domain/approval.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import type { Db } from '../../src/store/database.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const H = 3_600_000;

const held = (id: string, needed = 1): Omit<Approval, 'state' | 'votes'> => ({
  id,
  who: { userId: 'U1', userName: 'alice', channelId: 'C1' },
  request: {
    verb: 'add',
    resource: { kind: 'flag', projectKey: 'default', key: 'new-checkout', environmentKey: 'production' },
    targets: [{ contextKind: 'user', key: 'sandy' }],
    expiresAt: NOW + 48 * H,
    targetType: 'included',
    grant: false,
    comment: 'via Slack by @alice (U1)',
  },
  approvers: ['S0RELEASE', 'U2'],
  needed,
  channelId: 'C1',
  createdAt: NOW,
  expiresAt: NOW + 24 * H,
});

describe.each(DATABASES)('ApprovalStore on %s', (_name, url) => {
  let handle: Db;
  afterEach(async () => {
    await handle?.close();
  });

  it('keeps a held change exactly as asked, and its message', async () => {
    handle = await freshDatabase(url());
    const store = new ApprovalStore(handle.db);
    await store.create(held('a1'), NOW);
    await store.setMessage('a1', 'C1', '1.5');
    expect(await store.get('a1')).toEqual({ ...held('a1'), state: 'pending', votes: [], messageTs: '1.5' });
    expect(await store.get('nope')).toBeUndefined();
  });

  it('counts two approvers voting at the same moment once each; exactly one vote completes it', async () => {
    handle = await freshDatabase(url());
    const stores = [new ApprovalStore(handle.db), new ApprovalStore(handle.db)];
    await stores[0]!.create(held('one'), NOW);
    await stores[0]!.create(held('two', 2), NOW);
    const once = await Promise.all(
      ['U2', 'U3'].map((userId, i) => stores[i]!.vote('one', { userId, at: NOW + 1 }, NOW + 1)),
    );
    expect(once.filter((r) => r.counted && r.enough)).toHaveLength(1);
    expect(once.filter((r) => r.counted)).toHaveLength(1);
    const both = await Promise.all(
      ['U2', 'U3'].map((userId, i) => stores[i]!.vote('two', { userId, at: NOW + 1 }, NOW + 1)),
    );
    expect(both.filter((r) => r.counted)).toHaveLength(2);
    expect(both.filter((r) => r.counted && r.enough)).toHaveLength(1);
    const two = await stores[0]!.get('two');
    expect(two?.state).toBe('approved');
    expect(two?.votes.map((v) => v.userId).sort()).toEqual(['U2', 'U3']);
    // The same approver twice counts once.
    await stores[0]!.create(held('three', 2), NOW);
    await stores[0]!.vote('three', { userId: 'U2', at: NOW }, NOW);
    expect((await stores[1]!.vote('three', { userId: 'U2', at: NOW }, NOW)).counted).toBe(false);
  });

  it('moves a request once from the state it was in: decline, withdraw, expire race to one winner', async () => {
    handle = await freshDatabase(url());
    const store = new ApprovalStore(handle.db);
    await store.create(held('d'), NOW);
    const moves = await Promise.all([
      store.move('d', 'pending', 'declined', NOW, { userId: 'U2', reason: 'not this week' }),
      store.move('d', 'pending', 'withdrawn', NOW, { userId: 'U1' }),
      store.move('d', 'pending', 'expired', NOW),
    ]);
    expect(moves.filter(Boolean)).toHaveLength(1);
    expect((await store.vote('d', { userId: 'U3', at: NOW }, NOW)).counted).toBe(false);
  });

  it('finds what is due: the reminder at half the wait (once), the expiry at its end', async () => {
    handle = await freshDatabase(url());
    const store = new ApprovalStore(handle.db);
    await store.create(held('r'), NOW);
    expect(await store.due(NOW + 11 * H)).toEqual([]);
    expect((await store.due(NOW + 12 * H)).map((a) => a.id)).toEqual(['r']);
    const marks = await Promise.all([
      store.markReminded('r', NOW + 12 * H),
      store.markReminded('r', NOW + 12 * H),
    ]);
    expect(marks.filter(Boolean)).toHaveLength(1);
    expect(await store.due(NOW + 13 * H)).toEqual([]);
    expect((await store.due(NOW + 24 * H)).map((a) => a.id)).toEqual(['r']);
    expect((await store.pending({ channelId: 'C1' })).map((a) => a.id)).toEqual(['r']);
    expect(await store.pending({ requesterId: 'U9' })).toEqual([]);
  });

  it('prunes requests decided before the given instant, never a pending or approved one', async () => {
    handle = await freshDatabase(url());
    const store = new ApprovalStore(handle.db);
    for (const id of ['p', 'a', 'd']) await store.create(held(id), NOW);
    await store.vote('a', { userId: 'U2', at: NOW }, NOW);
    await store.move('d', 'pending', 'declined', NOW, { userId: 'U2' });
    expect(await store.prune(NOW)).toBe(0);
    expect(await store.prune(NOW + 1)).toBe(1);
    expect((await store.get('d'))?.state).toBeUndefined();
    expect((await store.get('a'))?.state).toBe('approved');
    expect((await store.get('p'))?.state).toBe('pending');
  });
});
