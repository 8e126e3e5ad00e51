import type { WebClient } from '@slack/web-api';
import type { Expiry } from '../domain/expiry.js';
import { groupBy } from '../domain/group-by.js';
import { resourceId } from '../domain/watch.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import type { Logger } from '../log.js';
import { type AfterExpiryRead, type Presence, readAfterExpiry, sortPassed } from '../services/present.js';
import { afterExpiryMessage } from '../slack/blocks/after-expiry.js';
import { postOrDm } from '../slack/reply.js';
import type { ExpiryStore, PassedKey } from '../store/expiry-store.js';

/** What an after-expiry pass works with, whichever expiries it tells of. */
export interface PassDeps {
  ld: LaunchDarklyClient;
  slack: Pick<WebClient, 'chat'>;
  logger: Logger;
  /** This replica's name in claims. */
  owner: string;
  /** A claim never settled within this time is taken over (a duplicate beats a silence). */
  staleMs?: number;
  /** At most this many per pass; the rest wait for the next. */
  batch?: number;
}

export interface AfterExpiryDeps extends PassDeps {
  store: ExpiryStore;
}

export interface AfterExpiryStats {
  passed: number;
  removed: number;
  stillThere: number;
  moved: number;
  /** LaunchDarkly still lists them at their passed instant: it has not got to them yet. */
  waiting: number;
  failed: number;
  posted: number;
  ldReads: number;
}

const key = (e: Expiry): PassedKey => ({ expiryId: e.id, expiresAt: e.expiresAt });

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
  const { store, logger } = deps;
  const staleMs = deps.staleMs ?? 5 * 60_000;
  const stats: AfterExpiryStats = {
    passed: 0,
    removed: 0,
    stillThere: 0,
    moved: 0,
    waiting: 0,
    failed: 0,
    posted: 0,
    ldReads: 0,
  };
  const passed = await store.passed(now, staleMs, deps.batch ?? 1_000);
  if (passed.length === 0) return stats;
  const held = new Set(
    (await store.claimPassed(passed.map(key), deps.owner, now, staleMs)).map((k) => k.expiryId),
  );
  const mine = passed.filter((e) => held.has(e.id));
  stats.passed = mine.length;

  for (const expiries of groupBy(mine, (e) => resourceId(e.resource)).values()) {
    const ref = expiries[0]!.resource;
    let read: AfterExpiryRead;
    try {
      stats.ldReads++;
      read = await readAfterExpiry(deps.ld, ref);
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      logger.warn({ err: error, resource: ref }, 'after expiry waits: LaunchDarkly read failed');
      for (const e of expiries) await store.releasePassed(key(e));
      stats.failed += expiries.length;
      continue;
    }
    const { moved, waiting, told } = sortPassed(expiries, read.scheduled);
    for (const { expiry, to } of moved) await store.followPassed(key(expiry), to, now);
    for (const e of waiting) await store.releasePassed(key(e));
    stats.moved += moved.length;
    stats.waiting += waiting.length;
    const threads = groupBy(told, (e) =>
      [e.expiresAt, e.channelId, e.messageTs ?? '', e.requestedBy].join('|'),
    );
    for (const group of threads.values()) await tell(group, read.present, now, deps, stats);
  }
  logger.info({ event: 'after_expiry_pass', ...stats }, 'after-expiry pass');
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
  const where = { channel: first.channelId, ...(first.messageTs ? { thread_ts: first.messageTs } : {}) };
  // The thread cannot be reached: the person who scheduled it hears by DM.
  const posted = await postOrDm(deps.slack, where, first.requestedBy, message, deps.logger);
  if (posted === 'retry') {
    for (const e of group) await deps.store.releasePassed(key(e));
    stats.failed += group.length;
    return;
  }
  const ts = posted === 'lost' ? undefined : posted.ts;
  for (const e of group) await deps.store.settlePassed(key(e), ts ? 'posted' : 'gone', now, ts);
  if (ts) stats.posted++;
  else stats.failed += group.length;
  stats.removed += removed.length;
  stats.stillThere += stillThere.length;
}
