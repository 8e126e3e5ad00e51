import type { Expiry } from '../domain/expiry.js';
import { groupBy } from '../domain/group-by.js';
import { type AfterExpiryRead, type Presence, readAfterExpiry, sortPassed } from '../services/present.js';
import { afterExpiryMessage } from '../slack/blocks/after-expiry.js';
import { postOrDm, threadOf } from '../slack/reply.js';
import { passedKey } from '../store/after-expiry-store.js';
import type { ExpiryStore } from '../store/expiry-store.js';
import { type ClaimingPassDeps, type Counts, counts, DEFAULT_STALE_MS, perResource } from './steps.js';

export interface AfterExpiryDeps extends ClaimingPassDeps {
  store: ExpiryStore;
}

const FIGURES = 'passed removed stillThere moved waiting failed posted ldReads';

/** `waiting`: LaunchDarkly still lists them at their passed instant (it has not got to them yet). */
export type AfterExpiryStats = Counts<typeof FIGURES>;

/**
 * One pass: claim the expiries whose instant has passed, read LaunchDarkly once per flag or segment
 * and environment (its expiring targets and who is still there), and say in the thread where each
 * was scheduled what happened, grouped per flag or segment and instant; then forget them. Moved in
 * LaunchDarkly: follow, say nothing. LaunchDarkly unreadable, or not done yet: give the claims
 * back and look again next pass, never guess. Idempotent across replicas and restarts.
 */
export async function runAfterExpiryPass({
  now,
  deps,
}: {
  now: number;
  deps: AfterExpiryDeps;
}): Promise<AfterExpiryStats> {
  const { passed: store } = deps.store;
  const staleMs = deps.staleMs ?? DEFAULT_STALE_MS;
  const stats: AfterExpiryStats = counts(FIGURES);
  const passed = await store.passed(now, staleMs, deps.batch ?? 1_000);
  if (passed.length === 0) return stats;
  const held = new Set(
    (await store.claims.claim(passed.map(passedKey), deps.owner, now, staleMs)).map((k) => k.expiryId),
  );
  const mine = passed.filter((e) => held.has(e.id));
  stats.passed = mine.length;

  stats.ldReads = await perResource(
    mine,
    (e) => e.resource,
    (resource) => readAfterExpiry(deps.ld, resource),
    {
      read: async (expiries, read: AfterExpiryRead) => {
        const { moved, waiting, told } = sortPassed(expiries, read.scheduled);
        for (const { expiry, to } of moved) await store.follow(passedKey(expiry), to, now);
        await store.claims.release(waiting.map(passedKey));
        stats.moved += moved.length;
        stats.waiting += waiting.length;
        const threads = groupBy(told, (e) =>
          [e.expiresAt, e.channelId, e.messageTs ?? '', e.requestedBy].join('|'),
        );
        for (const group of threads.values()) await tell(group, read.present, now, deps, stats);
      },
      failed: async (expiries) => {
        await store.claims.release(expiries.map(passedKey));
        stats.failed += expiries.length;
      },
    },
    deps.logger,
    'after expiry',
  );
  deps.logger.info({ event: 'after_expiry_pass', ...stats }, 'after-expiry pass');
  return stats;
}

async function tell(
  group: Expiry[],
  present: Presence,
  now: number,
  deps: AfterExpiryDeps,
  stats: AfterExpiryStats,
): Promise<void> {
  const first = group[0]!;
  const stillThere = group.filter(present);
  const removed = group.filter((e) => !present(e));
  const message = afterExpiryMessage(
    { resource: first.resource, expiresAt: first.expiresAt, removed, stillThere },
    now,
  );
  const where = threadOf(first);
  // The thread cannot be reached: the person who scheduled it hears by DM.
  const posted = await postOrDm(deps.slack, where, first.requestedBy, message, deps.logger);
  if (posted === 'retry') {
    await deps.store.passed.claims.release(group.map(passedKey));
    stats.failed += group.length;
    return;
  }
  const ts = posted === 'lost' ? undefined : posted.ts;
  for (const e of group) await deps.store.passed.settle(passedKey(e), ts ? 'posted' : 'gone', now, ts);
  if (ts) stats.posted++;
  else stats.failed += group.length;
  stats.removed += removed.length;
  stats.stillThere += stillThere.length;
}
