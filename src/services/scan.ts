import type { EnvironmentRef, MirrorCounts, ScanPhase, WatchedEnvironment } from '../domain/watch.js';
import type { ListPage } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import { type MirrorDeps, refreshResource } from './mirror.js';

export interface ScanDeps extends MirrorDeps {
  /** This replica's name in leases. */
  owner: string;
  fullScanIntervalMs: number;
  /** How long a lease holds without renewal; renewed after every page. */
  leaseMs?: number;
  /** The clock while a scan runs (a scan can take minutes under rate limits). */
  clock?: () => number;
  /** True once the process is stopping: the scan pauses and the next start resumes it. */
  stopping?: () => boolean;
}

export interface ScanProgress {
  phase: ScanPhase;
  /** Flags or segments looked at so far in this phase. */
  done: number;
  total: number | undefined;
}

export type ScanOutcome =
  | { status: 'done'; counts: MirrorCounts; reads: number; listed: number }
  | { status: 'busy' }
  | { status: 'not-due' }
  | { status: 'paused' }
  | { status: 'failed'; error: LdError };

/**
 * The audit log is read from a little before a scan starts: LaunchDarkly's clock and ours may
 * differ, and re-reading a flag twice costs one request while missing a change costs a reminder.
 */
export const SYNC_OVERLAP_MS = 60_000;
const DEFAULT_LEASE_MS = 10 * 60_000;

/** A scan runs while one is under way, was never finished, or the last is older than the interval. */
function isDue(e: WatchedEnvironment, now: number, intervalMs: number): boolean {
  return (
    e.scan.phase !== undefined || e.scan.finishedAt === undefined || now - e.scan.finishedAt >= intervalMs
  );
}

/**
 * Scans one environment when due: page through the project's flags (with their targets in the
 * environment) and the environment's segments, read the expiring targets of each that targets
 * anyone, and drop what the mirror held of flags and segments that are gone. Progress is saved
 * after every page, so a restart resumes there; LaunchDarkly's rate-limit headers pace it.
 */
export async function scanEnvironment(
  ref: EnvironmentRef,
  ctx: { now: number; deps: ScanDeps; force?: boolean; onProgress?: (p: ScanProgress) => void },
): Promise<ScanOutcome> {
  const { deps } = ctx;
  const clock = deps.clock ?? (() => ctx.now);
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const state = await deps.watches.environment(ref);
  if (!state) return { status: 'not-due' };
  if (!ctx.force && !isDue(state, ctx.now, deps.fullScanIntervalMs)) return { status: 'not-due' };
  if (!(await deps.watches.acquireLease(ref, deps.owner, clock(), leaseMs))) return { status: 'busy' };
  let reads = 0;
  let listed = 0;
  try {
    // Re-read under the lease: another replica may have finished meanwhile.
    const current = (await deps.watches.environment(ref))!;
    if (!ctx.force && !isDue(current, ctx.now, deps.fullScanIntervalMs)) return { status: 'not-due' };
    let phase: ScanPhase = current.scan.phase ?? 'flags';
    let offset = current.scan.phase ? current.scan.offset : 0;
    let gen = current.scan.gen;
    if (!current.scan.phase) {
      gen = await deps.watches.startScan(ref, ctx.now);
      if (current.sync.after === undefined) {
        await deps.watches.saveSyncCursor(ref, ctx.now - SYNC_OVERLAP_MS, [], ctx.now);
      }
    }
    deps.logger.info({ event: 'scan', ...ref, phase, offset, gen }, 'full scan of a watched environment');
    for (;;) {
      const page: ListPage =
        phase === 'flags'
          ? await deps.ld.listFlagsPage(ref.projectKey, ref.environmentKey, offset)
          : await deps.ld.listSegmentsPage(ref.projectKey, ref.environmentKey, offset);
      listed++;
      for (const item of page.items) {
        // The page's start is saved: a resumed scan re-reads at most one page.
        if (deps.stopping?.()) return { status: 'paused' };
        if (item.targeted === false) continue;
        const resource = {
          kind: phase === 'flags' ? ('flag' as const) : ('segment' as const),
          key: item.key,
          ...ref,
        };
        await refreshResource(resource, { deps, gen, now: ctx.now, name: item.name });
        reads++;
      }
      ctx.onProgress?.({ phase, done: offset + page.items.length, total: page.total });
      if (page.nextOffset !== undefined) {
        offset = page.nextOffset;
      } else if (phase === 'flags') {
        phase = 'segments';
        offset = 0;
      } else {
        break;
      }
      await deps.watches.saveScanProgress(ref, phase, offset);
      await deps.watches.acquireLease(ref, deps.owner, clock(), leaseMs);
    }
    await deps.mirror.dropOlderThan(ref, gen, clock());
    await deps.watches.finishScan(ref, clock());
    const counts = await deps.mirror.counts(ref, ctx.now);
    deps.logger.info({ event: 'scan_done', ...ref, ...counts, reads, listed }, 'full scan finished');
    return { status: 'done', counts, reads, listed };
  } catch (error) {
    if (!(error instanceof LdError)) throw error;
    deps.logger.warn({ err: error, ...ref }, 'full scan stopped; the next pass resumes it');
    return { status: 'failed', error };
  } finally {
    await deps.watches.releaseLease(ref, deps.owner);
  }
}
