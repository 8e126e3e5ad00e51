import { groupBy } from '../domain/group-by.js';
import { targetLabel } from '../domain/targets.js';
import { asExpiry } from '../domain/watch.js';
import { type AfterExpiryRead, type Presence, readAfterExpiry, sortPassed } from '../services/present.js';
import { afterExpiryMessage } from '../slack/blocks/after-expiry.js';
import { postOrDm } from '../slack/reply.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { PassedInChannel, WatchedPassedKey, WatchedPassedStore } from '../store/watched-passed-store.js';
import { type ClaimingPassDeps, type Counts, counts, DEFAULT_STALE_MS, perResource } from './steps.js';

/** `batch` counts (channel, expiry) pairs. */
export interface WatchedAfterExpiryDeps extends ClaimingPassDeps {
  passed: WatchedPassedStore;
  mirror: MirrorStore;
}

const FIGURES = 'passed inThread removed stillThere moved waiting gone failed posted ldReads forgotten';

/** `inThread`: told in the thread where the bot scheduled them, not again in the channel. */
export type WatchedAfterExpiryStats = Counts<typeof FIGURES>;

const key = (p: PassedInChannel): WatchedPassedKey => ({
  channelId: p.channelId,
  expiryId: p.expiry.id,
  expiresAt: p.expiry.expiresAt,
});

/**
 * One pass for watched environments, as `runAfterExpiryPass` is for the bot's own expiries: claim
 * what has passed in each channel that watched it, read LaunchDarkly once per flag or segment,
 * and post in each watching channel what happened, grouped per flag or segment and instant.
 * A target the bot scheduled in that channel is told in its thread only; moved in LaunchDarkly:
 * follow, say nothing; LaunchDarkly unreadable or not done yet: give the claims back. Once per
 * channel, expiry and instant, across replicas and restarts; then the mirror forgets them.
 */
export async function runWatchedAfterExpiryPass({
  now,
  deps,
}: {
  now: number;
  deps: WatchedAfterExpiryDeps;
}): Promise<WatchedAfterExpiryStats> {
  const { passed: store, logger } = deps;
  const staleMs = deps.staleMs ?? DEFAULT_STALE_MS;
  const stats: WatchedAfterExpiryStats = counts(FIGURES);
  const passed = await store.passed(now, staleMs, deps.batch ?? 5_000);
  if (passed.length > 0) {
    const held = new Set(
      (await store.claims.claim(passed.map(key), deps.owner, now, staleMs)).map(
        (k) => `${k.channelId}|${k.expiryId}`,
      ),
    );
    const mine = passed.filter((p) => held.has(`${p.channelId}|${p.expiry.id}`));
    stats.passed = mine.length;
    const inThread = mine.filter((p) => p.inThread);
    await store.claims.finish(inThread.map(key), 'thread');
    stats.inThread = inThread.length;
    const toTell = mine.filter((p) => !p.inThread);
    stats.ldReads = await perResource(
      toTell,
      (p) => p.expiry.resource,
      (resource) => readAfterExpiry(deps.ld, resource),
      {
        read: (pairs, read) => tellResource(pairs, read, now, deps, stats),
        // The flag or segment itself is gone: nothing of it is left to tell.
        gone: async (pairs) => {
          await store.claims.finish(pairs.map(key), 'gone');
          stats.gone += pairs.length;
        },
        failed: async (pairs) => {
          await store.claims.release(pairs.map(key));
          stats.failed += pairs.length;
        },
      },
      deps.logger,
      'watched after expiry',
    );
  }
  stats.forgotten = await store.forgetTold(now);
  if (stats.passed > 0 || stats.forgotten > 0)
    logger.info({ event: 'watched_after_expiry_pass', ...stats }, 'watched after-expiry pass');
  return stats;
}

/** One flag or segment, read once for every channel and instant of it. */
async function tellResource(
  pairs: PassedInChannel[],
  read: AfterExpiryRead,
  now: number,
  deps: WatchedAfterExpiryDeps,
  stats: WatchedAfterExpiryStats,
): Promise<void> {
  const expiries = [...new Map(pairs.map((p) => [p.expiry.id, p.expiry])).values()];
  const { moved, waiting, told } = sortPassed(expiries, read.scheduled);
  const of = (ids: Set<string>) => pairs.filter((p) => ids.has(p.expiry.id));
  for (const { expiry, to } of moved) await deps.mirror.setExpiresAt(expiry.id, to, now);
  const movedPairs = of(new Set(moved.map((m) => m.expiry.id)));
  await deps.passed.claims.finish(movedPairs.map(key), 'changed');
  stats.moved += movedPairs.length;
  const waitingPairs = of(new Set(waiting.map((e) => e.id)));
  await deps.passed.claims.release(waitingPairs.map(key));
  stats.waiting += waitingPairs.length;
  const messages = groupBy(of(new Set(told.map((e) => e.id))), (p) => `${p.channelId}|${p.expiry.expiresAt}`);
  for (const group of messages.values()) await tell(group, read.present, now, deps, stats);
}

async function tell(
  group: PassedInChannel[],
  present: Presence,
  now: number,
  deps: WatchedAfterExpiryDeps,
  stats: WatchedAfterExpiryStats,
): Promise<void> {
  const { channelId, watchedBy, expiry: first } = group[0]!;
  const expiries = group
    .map((p) => asExpiry(p.expiry, channelId))
    .sort((a, b) => targetLabel(a.target).localeCompare(targetLabel(b.target)));
  const stillThere = expiries.filter(present);
  const removed = expiries.filter((e) => !present(e));
  const message = afterExpiryMessage(
    { resource: first.resource, expiresAt: first.expiresAt, removed, stillThere },
    now,
  );
  // The channel no longer takes the bot's messages: whoever started its watch hears by DM.
  const posted = await postOrDm(deps.slack, { channel: channelId }, watchedBy, message, deps.logger);
  const keys = group.map(key);
  if (posted === 'retry') {
    await deps.passed.claims.release(keys);
    stats.failed += keys.length;
    return;
  }
  const ts = posted === 'lost' ? undefined : posted.ts;
  await deps.passed.claims.finish(keys, ts ? 'posted' : 'gone', ts);
  if (ts) stats.posted++;
  else stats.failed += keys.length;
  stats.removed += removed.length;
  stats.stillThere += stillThere.length;
}
