import { afterEach, describe, expect, it } from 'vitest';
import type { LdApproval } from '../../src/domain/ld-approval.js';
import type { Db } from '../../src/store/database.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const FLAG = { kind: 'flag', projectKey: 'default', key: 'gated', environmentKey: 'production' } as const;

const asked = (id: string): Omit<LdApproval, 'state'> => ({
  id,
  url: `https://app.launchdarkly.com/projects/default/flags/gated/approvals/${id}`,
  who: { userId: 'U1', userName: 'alice', channelId: 'C1' },
  request: {
    verb: 'add',
    resource: FLAG,
    targets: [{ contextKind: 'user', key: 'newbie' }],
    expiresAt: NOW + 86_400_000,
    targetType: 'included',
    grant: false,
    comment: 'via Slack by @alice (U1)',
  },
  channelId: 'C1',
  createdAt: NOW,
  nextCheckAt: NOW + 60_000,
});

describe.each(DATABASES)('LdApprovalStore on %s', (_name, url) => {
  let handle: Db;
  afterEach(async () => {
    await handle?.close();
  });

  it('writes a request once, reads it back, and threads it once', async () => {
    handle = await freshDatabase(url());
    const store = new LdApprovalStore(handle.db);
    expect(await store.create(asked('r1'), NOW)).toBe(true);
    expect(await store.create(asked('r1'), NOW)).toBe(false);
    await store.setThread('r1', 'C1', '1.5');
    await store.setThread('r1', 'C9', '9.9');
    expect(await store.get('r1')).toEqual({ ...asked('r1'), state: 'open', messageTs: '1.5' });
  });

  it('one of two replicas claims a due read; an entry about the resource makes it due at once', async () => {
    handle = await freshDatabase(url());
    const store = new LdApprovalStore(handle.db);
    await store.create(asked('r1'), NOW);
    expect(await store.due(NOW)).toEqual([]);
    expect(await store.checkSoon({ ...FLAG, key: 'other' }, NOW)).toBe(0);
    expect(await store.checkSoon(FLAG, NOW)).toBe(1);
    const [due] = await store.due(NOW);
    const claims = await Promise.all([
      store.claimCheck(due!, NOW + 60_000),
      store.claimCheck(due!, NOW + 60_000),
    ]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await store.due(NOW)).toEqual([]);
  });

  it('settles once, says "still pending" once, and prunes only settled requests of before', async () => {
    handle = await freshDatabase(url());
    const store = new LdApprovalStore(handle.db);
    await store.create(asked('open'), NOW);
    await store.create(asked('done'), NOW);
    expect(await store.markPendingTold('open', NOW)).toBe(true);
    expect(await store.markPendingTold('open', NOW)).toBe(false);
    expect(await store.settle('done', 'declined', NOW)).toBe(true);
    expect(await store.settle('done', 'completed', NOW)).toBe(false);
    expect((await store.open({})).map((a) => a.id)).toEqual(['open']);
    expect(await store.prune(NOW)).toBe(0);
    expect(await store.prune(NOW + 1)).toBe(1);
    expect(await store.get('done')).toBeUndefined();
    expect((await store.get('open'))?.pendingToldAt).toBe(NOW);
  });
});
