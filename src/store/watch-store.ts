import type { Kysely, Selectable } from 'kysely';
import type { EnvironmentRef, ScanPhase, Watch, WatchedEnvironment } from '../domain/watch.js';
import type { Database, WatchedEnvironmentsTable, WatchesTable } from './schema.js';

const toWatch = (r: Selectable<WatchesTable>): Watch => ({
  channelId: r.channel_id,
  projectKey: r.project_key,
  environmentKey: r.environment_key,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
});

function toEnvironment(r: Selectable<WatchedEnvironmentsTable>): WatchedEnvironment {
  let ids: string[] = [];
  try {
    const parsed = JSON.parse(r.sync_ids);
    if (Array.isArray(parsed)) ids = parsed.filter((v): v is string => typeof v === 'string');
  } catch {
    // A cursor we cannot read costs at most a re-read of the entries of one millisecond.
  }
  return {
    projectKey: r.project_key,
    environmentKey: r.environment_key,
    scan: {
      gen: Number(r.scan_gen),
      phase: r.scan_phase === 'flags' || r.scan_phase === 'segments' ? r.scan_phase : undefined,
      offset: Number(r.scan_offset),
      startedAt: r.scan_started_at === null ? undefined : Number(r.scan_started_at),
      finishedAt: r.last_scan_at === null ? undefined : Number(r.last_scan_at),
    },
    sync: {
      after: r.sync_after === null ? undefined : Number(r.sync_after),
      ids,
      at: r.synced_at === null ? undefined : Number(r.synced_at),
    },
  };
}

/** Watches, and each watched environment's scan progress, sync cursor and lease. */
export class WatchStore {
  constructor(private readonly db: Kysely<Database>) {}

  private env(e: EnvironmentRef) {
    return this.db
      .updateTable('watched_environments')
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey);
  }

  /** Starts a watch; false when the channel already watches that environment. */
  async add(watch: Watch): Promise<boolean> {
    const inserted = await this.db
      .insertInto('watches')
      .values({
        channel_id: watch.channelId,
        project_key: watch.projectKey,
        environment_key: watch.environmentKey,
        created_by: watch.createdBy,
        created_at: watch.createdAt,
      })
      .onConflict((oc) => oc.columns(['channel_id', 'project_key', 'environment_key']).doNothing())
      .executeTakeFirst();
    await this.db
      .insertInto('watched_environments')
      .values({
        project_key: watch.projectKey,
        environment_key: watch.environmentKey,
        scan_gen: 0,
        scan_phase: null,
        scan_offset: 0,
        scan_started_at: null,
        last_scan_at: null,
        sync_after: null,
        sync_ids: '[]',
        synced_at: null,
        lease_owner: null,
        lease_until: 0,
      })
      .onConflict((oc) => oc.columns(['project_key', 'environment_key']).doNothing())
      .execute();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Stops a watch; false when there was none. The last watch of an environment takes its state
   * and mirror with it: nobody follows it any more.
   */
  async remove(channelId: string, e: EnvironmentRef): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('watches')
      .where('channel_id', '=', channelId)
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return false;
    if ((await this.channelsWatching(e)).length === 0) {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('mirrored_expiries')
          .where('project_key', '=', e.projectKey)
          .where('environment_key', '=', e.environmentKey)
          .execute();
        await trx
          .deleteFrom('watched_environments')
          .where('project_key', '=', e.projectKey)
          .where('environment_key', '=', e.environmentKey)
          .execute();
      });
    }
    return true;
  }

  async ofChannel(channelId: string): Promise<Watch[]> {
    const rows = await this.db
      .selectFrom('watches')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('project_key')
      .orderBy('environment_key')
      .execute();
    return rows.map(toWatch);
  }

  /** Every channel that watches something: the Home tab looks for these among a person's channels. */
  async watchingChannels(): Promise<string[]> {
    const rows = await this.db.selectFrom('watches').select('channel_id').distinct().execute();
    return rows.map((r) => r.channel_id);
  }

  async channelsWatching(e: EnvironmentRef): Promise<string[]> {
    const rows = await this.db
      .selectFrom('watches')
      .select('channel_id')
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey)
      .orderBy('channel_id')
      .execute();
    return rows.map((r) => r.channel_id);
  }

  /**
   * Of `among`, the channel that has watched `e` longest (of two at once, the first by id); none
   * when none of them watches it.
   */
  async firstWatching(e: EnvironmentRef, among: readonly string[]): Promise<string | undefined> {
    if (among.length === 0) return undefined;
    const row = await this.db
      .selectFrom('watches')
      .select('channel_id')
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey)
      .where('channel_id', 'in', [...among])
      .orderBy('created_at')
      .orderBy('channel_id')
      .limit(1)
      .executeTakeFirst();
    return row?.channel_id;
  }

  /** Every watched environment. */
  async environments(): Promise<WatchedEnvironment[]> {
    const rows = await this.db
      .selectFrom('watched_environments')
      .selectAll()
      .orderBy('project_key')
      .orderBy('environment_key')
      .execute();
    return rows.map(toEnvironment);
  }

  async environment(e: EnvironmentRef): Promise<WatchedEnvironment | undefined> {
    const row = await this.db
      .selectFrom('watched_environments')
      .selectAll()
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey)
      .executeTakeFirst();
    return row && toEnvironment(row);
  }

  /**
   * Takes (or renews) the lease over an environment's scan and sync until `now + ttlMs`. Exactly
   * one replica holds it at a time; a lease that ran out is anyone's.
   */
  async acquireLease(e: EnvironmentRef, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const taken = await this.env(e)
      .set({ lease_owner: owner, lease_until: now + ttlMs })
      .where((eb) => eb.or([eb('lease_until', '<=', now), eb('lease_owner', '=', owner)]))
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) > 0;
  }

  async releaseLease(e: EnvironmentRef, owner: string): Promise<void> {
    await this.env(e).set({ lease_owner: null, lease_until: 0 }).where('lease_owner', '=', owner).execute();
  }

  /** Starts a full scan: a new generation, from the first page of flags. Returns the generation. */
  async startScan(e: EnvironmentRef, now: number): Promise<number> {
    const current = await this.environment(e);
    const gen = (current?.scan.gen ?? 0) + 1;
    await this.env(e)
      .set({ scan_gen: gen, scan_phase: 'flags', scan_offset: 0, scan_started_at: now })
      .execute();
    return gen;
  }

  /** Where the running scan goes on from after a restart. */
  async saveScanProgress(e: EnvironmentRef, phase: ScanPhase, offset: number): Promise<void> {
    await this.env(e).set({ scan_phase: phase, scan_offset: offset }).execute();
  }

  async finishScan(e: EnvironmentRef, now: number): Promise<void> {
    await this.env(e).set({ scan_phase: null, scan_offset: 0, last_scan_at: now }).execute();
  }

  /** The newest audit-log entry read, and the ids of those read at that millisecond. */
  async saveSyncCursor(e: EnvironmentRef, after: number, ids: string[], now: number): Promise<void> {
    await this.env(e)
      .set({ sync_after: after, sync_ids: JSON.stringify(ids), synced_at: now })
      .execute();
  }
}
