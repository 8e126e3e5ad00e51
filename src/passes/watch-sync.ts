import { aboutApprovals } from '../domain/ld-approval.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { EnvironmentRef, WatchedEnvironment } from '../domain/watch.js';
import { resourceId } from '../domain/watch.js';
import type { AuditEntry } from '../launchdarkly/audit-log.js';
import { LdError } from '../launchdarkly/errors.js';
import { type MirrorDeps, refreshResource } from '../services/mirror.js';
import type { LdApprovalStore } from '../store/ld-approval-store.js';

export interface SyncDeps extends MirrorDeps {
  owner: string;
  /** LaunchDarkly approval requests the bot follows: an entry about one has it read at once. */
  ldApprovalStore?: Pick<LdApprovalStore, 'checkSoon'>;
  leaseMs?: number;
  /** Hears how far behind LaunchDarkly's audit log each watched environment is, in seconds. */
  lag?: (environment: EnvironmentRef, seconds: number) => void;
}

export interface SyncStats {
  environments: number;
  /** Environments another replica was working on. */
  busy: number;
  entries: number;
  reads: number;
  failed: number;
}

/**
 * One pass of the incremental sync: for every watched environment whose first scan has begun,
 * read the audit-log entries that came after the last one seen (one request when nothing
 * changed) and re-read only the flags and segments they name.
 */
export async function runWatchSync({ now, deps }: { now: number; deps: SyncDeps }): Promise<SyncStats> {
  const stats: SyncStats = { environments: 0, busy: 0, entries: 0, reads: 0, failed: 0 };
  for (const environment of await deps.watches.environments()) {
    if (environment.sync.after === undefined) continue;
    stats.environments++;
    const ref: EnvironmentRef = {
      projectKey: environment.projectKey,
      environmentKey: environment.environmentKey,
    };
    // Since the last sync that went through, here or on another replica; 0 once this one does.
    const behind = (now - (environment.sync.at ?? now)) / 1_000;
    if (!(await deps.watches.acquireLease(ref, deps.owner, now, deps.leaseMs ?? 5 * 60_000))) {
      stats.busy++;
      deps.lag?.(ref, behind);
      continue;
    }
    deps.lag?.(ref, behind);
    try {
      const { entries, reads } = await syncEnvironment(environment, now, deps);
      stats.entries += entries;
      stats.reads += reads;
      deps.lag?.(ref, 0);
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      deps.logger.warn({ err: error, ...ref }, 'watch sync failed; the next pass tries again');
      stats.failed++;
    } finally {
      await deps.watches.releaseLease(ref, deps.owner);
    }
  }
  if (stats.entries > 0 || stats.failed > 0)
    deps.logger.info({ event: 'watch_sync', ...stats }, 'watch sync');
  return stats;
}

async function syncEnvironment(e: WatchedEnvironment, now: number, deps: SyncDeps) {
  const cursor = e.sync.after!;
  // `after` is exclusive and a millisecond can hold several entries, some written after our last
  // read: ask from one millisecond earlier and skip the ids already read.
  const seen = new Set(e.sync.ids);
  const entries = (await deps.ld.searchAuditLog(e.projectKey, e.environmentKey, cursor - 1)).filter(
    (entry) => entry.date > cursor || (entry.date === cursor && !seen.has(entry.id)),
  );
  for (const entry of entries.filter((x) => aboutApprovals(x.actions)))
    for (const resource of entry.resources) await deps.ldApprovalStore?.checkSoon(resource, now);
  // Newest first: the first entry naming a resource says who changed it last.
  const named = new Map<string, { resource: ResourceRef; entry: AuditEntry }>();
  for (const entry of entries) {
    for (const resource of entry.resources) {
      if (resource.projectKey !== e.projectKey || resource.environmentKey !== e.environmentKey) continue;
      if (!named.has(resourceId(resource))) named.set(resourceId(resource), { resource, entry });
    }
  }
  for (const { resource, entry } of named.values()) {
    await refreshResource(resource, { deps, gen: e.scan.gen, now, setBy: entry.actor });
  }
  const newest = Math.max(cursor, ...entries.map((x) => x.date));
  const ids = [
    ...(newest === cursor ? e.sync.ids : []),
    ...entries.filter((x) => x.date === newest).map((x) => x.id),
  ];
  await deps.watches.saveSyncCursor(e, newest, ids, now);
  return { entries: entries.length, reads: named.size };
}
