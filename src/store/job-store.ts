import DataLoader from 'dataloader';
import { type Kysely, sql } from 'kysely';
import type { Database, JobsTable } from './schema.js';

interface NewJob {
  id: string;
  kind: string;
  payload: unknown;
  now: number;
}

/** A job not yet done, as another job sees it. */
export interface OpenJob {
  id: string;
  payload: unknown;
  createdAt: number;
}

/** A job as a worker holds it. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  /** 1 on the first run; more when resumed after a crash or retried after a transient failure. */
  attempt: number;
  notes: Record<string, unknown>;
  createdAt: number;
}

function toJob(row: JobsTable): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload),
    attempt: row.attempts,
    notes: JSON.parse(row.notes),
    createdAt: row.created_at,
  };
}

/**
 * The durable work queue: a jobs table with lease-based claiming, on SQLite and PostgreSQL alike
 * (no job-queue library serves both; pg-boss and graphile-worker are PostgreSQL only).
 */
export class JobStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /**
   * Jobs written in the same turn of the event loop go in one statement: acks arrive in bursts,
   * and on SQLite a commit per ack writes the same pages again and again (bench `ack`: 0.25 ms of
   * the bot's 0.9 ms per ack were the job's own insert). DataLoader is that batching, as is.
   */
  private readonly adds = new DataLoader<NewJob, boolean>((jobs) => this.insert(jobs), {
    cache: false,
    maxBatchSize: 100,
    batchScheduleFn: (run) => setImmediate(run),
  });

  /** Writes a job; false when one with this id exists already (the same request, delivered again). */
  add(job: { id: string; kind: string; payload: unknown }, now: number): Promise<boolean> {
    return this.adds.load({ ...job, id: job.id.slice(0, 500), now });
  }

  private async insert(jobs: readonly NewJob[]): Promise<boolean[]> {
    // The same request twice in one batch: the first is written, the second is its duplicate.
    const first = new Map<string, number>();
    jobs.forEach((job, i) => {
      if (!first.has(job.id)) first.set(job.id, i);
    });
    const rows = [...first.values()].map((i) => {
      const job = jobs[i]!;
      return {
        id: job.id,
        kind: job.kind,
        payload: JSON.stringify(job.payload),
        state: 'queued',
        attempts: 0,
        run_after: job.now,
        lease_owner: null,
        lease_until: 0,
        notes: '{}',
        created_at: job.now,
        updated_at: job.now,
      };
    });
    const written = await this.db
      .insertInto('jobs')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    const inserted = new Set(written.map((row) => row.id));
    return jobs.map((job, i) => first.get(job.id) === i && inserted.has(job.id));
  }

  /**
   * Takes up to `limit` jobs for `owner` until `now + leaseMs`: queued ones whose time has come,
   * and running ones whose lease ran out (their worker died). Oldest first; each job to one owner.
   */
  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<Job[]> {
    const ready = this.db
      .selectFrom('jobs')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit);
    const rows = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        lease_owner: owner,
        lease_until: now + leaseMs,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      // PostgreSQL: replicas claiming at once skip each other's rows instead of waiting on them.
      .where('id', 'in', this.dialect === 'postgres' ? ready.forUpdate().skipLocked() : ready)
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1)).map(toJob);
  }

  /** Extends the lease of the jobs this owner still holds. */
  async renew(ids: string[], owner: string, until: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('jobs')
      .set({ lease_until: until })
      .where('id', 'in', ids)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .execute();
  }

  /** Writes down what a job did so far, for whoever resumes it. */
  async note(id: string, owner: string, notes: Record<string, unknown>, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ notes: JSON.stringify(notes), updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Done: kept (as the once-key of its request) until pruned. */
  async done(id: string, owner: string, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ state: 'done', lease_owner: null, lease_until: 0, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Failed for good, its person told: forgotten, so that the same request can be made again. */
  async drop(id: string, owner: string): Promise<void> {
    await this.db.deleteFrom('jobs').where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  /**
   * Queued again for `runAfter`: a transient failure (`counted`), or a job waiting its turn, whose
   * run is not counted as a try.
   */
  async retry(id: string, owner: string, runAfter: number, now: number, counted = true): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'queued',
        run_after: runAfter,
        lease_owner: null,
        lease_until: 0,
        updated_at: now,
        ...(counted ? {} : { attempts: eb('attempts', '-', 1) }),
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Queued jobs among `ids` that wait for a later time run now (what they waited for came). */
  async runNow(ids: string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('jobs')
      .set({ run_after: now, updated_at: now })
      .where('id', 'in', ids)
      .where('state', '=', 'queued')
      .execute();
  }

  /** A stopping worker hands its unfinished jobs over at once rather than when their leases run out. */
  async release(ids: string[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('jobs')
      .set({ lease_until: 0 })
      .where('id', 'in', ids)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .execute();
  }

  /** Jobs not yet done. */
  async open(): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '!=', 'done')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Jobs not yet done whose id starts with `prefix` (the clicks on one button), in the order claims
   * take them. Only open jobs are read — a bounded few (`maxOpen`) — on the `state` index.
   */
  async openStartingWith(prefix: string): Promise<OpenJob[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'payload', 'created_at'])
      .where('state', 'in', ['queued', 'running'])
      .where(sql<string>`substr(id, 1, ${prefix.length})`, '=', prefix)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ id: row.id, payload: JSON.parse(row.payload), createdAt: row.created_at }));
  }

  /** A queued job's place in line: how many not yet done come before it; undefined once it runs. */
  async ahead(id: string): Promise<number | undefined> {
    const job = await this.db
      .selectFrom('jobs')
      .select(['state', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (job?.state !== 'queued') return undefined;
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '!=', 'done')
      // The order claims take: oldest first, the id breaking ties within a millisecond.
      .where((eb) =>
        eb.or([
          eb('created_at', '<', job.created_at),
          eb.and([eb('created_at', '=', job.created_at), eb('id', '<', id)]),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Forgets finished jobs older than `before`. */
  async prune(before: number): Promise<void> {
    await this.db.deleteFrom('jobs').where('state', '=', 'done').where('updated_at', '<', before).execute();
  }
}
