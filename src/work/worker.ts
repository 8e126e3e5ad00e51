import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/database.js';
import { type Job, JobStore, type OpenJob } from '../store/job-store.js';

/**
 * `retryInMs`: tried again later, the try counted. `waitMs`: run again later without counting a
 * try — the job waits its turn behind another (a click behind another person's on the same button).
 */
export type JobResult = 'done' | 'failed' | { retryInMs: number } | { waitMs: number };

export interface JobContext {
  /** Writes down what the job did so far (merged into its notes), for whoever resumes it. */
  note(notes: Record<string, unknown>): Promise<void>;
}

export interface JobKind {
  run(job: Job, ctx: JobContext): Promise<JobResult>;
  /** Tells the person who asked that their request waits in line behind `ahead` others. */
  waiting?(job: { payload: unknown }, ahead: number): Promise<void>;
}

export interface WorkerOptions {
  store: JobStore;
  logger: Logger;
  now: () => number;
  /** This replica's name in leases. */
  owner: string;
  concurrency: number;
  /** A job whose worker stopped renewing it is taken over after this long. */
  leaseMs: number;
  /** How often the table is looked at for work written by another replica or left by a crash. */
  pollMs?: number;
  /** Work not yet done beyond which new requests are refused. */
  maxOpen: number;
  /** A request that has not started after this long is told its place in line… */
  tellAfterMs?: number;
  /** …and again this often while it still waits. */
  tellEveryMs?: number;
}

/** How often, at most, a person hears that their request still waits its turn. */
export const MAX_WAITING_WORDS = 3;

/** How many times a job runs before its failure is final (a crash or a transient failure each count). */
export const MAX_ATTEMPTS = 5;

/**
 * Runs the work behind acks from the jobs table, a few at a time: claims with a lease, renews it
 * while working, resumes what a dead worker left once its lease runs out, and on a stop takes no
 * new work and hands back what it could not finish. Nothing acknowledged lives only in memory.
 */
export class Worker {
  private readonly kinds = new Map<string, JobKind>();
  private readonly held = new Set<string>();
  /** Jobs submitted here that have not started yet and whose person is told if they wait. */
  private readonly notStarted = new Set<string>();
  private pumping = false;
  private stopped = true;
  private poller?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WorkerOptions) {}

  handle(kind: string, handler: JobKind): void {
    if (this.kinds.has(kind)) throw new Error(`two handlers for job kind ${kind}`);
    this.kinds.set(kind, handler);
  }

  /**
   * Writes a request down before its ack: 'queued', 'duplicate' when the same request (same id)
   * is there already, 'full' when too much work waits (the person is refused, not left waiting).
   */
  async submit(kind: string, id: string, payload: unknown): Promise<'queued' | 'duplicate' | 'full'> {
    const { store, now, maxOpen } = this.options;
    if ((await this.openJobs()) >= maxOpen) return 'full';
    if (!(await store.add({ id, kind, payload }, now()))) return 'duplicate';
    if (this.openCount) this.openCount.n++;
    this.wake();
    this.tellIfWaiting(kind, id, payload);
    return 'queued';
  }

  /**
   * Work not yet done, counted at most once a second: the bound need not be exact to the job, and
   * a count on every ack would be one more query before Slack hears back.
   */
  private openCount?: { n: number; at: number };
  private async openJobs(): Promise<number> {
    const { store, now } = this.options;
    if (!this.openCount || now() - this.openCount.at > 1_000) {
      this.openCount = { n: await store.open(), at: now() };
    }
    return this.openCount.n;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.poller = setInterval(() => this.wake(), this.options.pollMs ?? 1_000);
    this.heartbeat = setInterval(() => this.renew(), Math.max(100, this.options.leaseMs / 3));
    this.wake();
  }

  /** Jobs this worker holds right now. */
  get running(): number {
    return this.held.size;
  }

  /** Jobs not yet done whose id starts with `prefix`, in the order they are taken. */
  openStartingWith(prefix: string): Promise<OpenJob[]> {
    return this.options.store.openStartingWith(prefix);
  }

  /** Jobs written down and not done, on every replica sharing the table (for metrics). */
  open(): Promise<number> {
    return this.options.store.open();
  }

  /** Jobs waiting for something that has now happened (a person linked) run at once. */
  async runNow(ids: string[]): Promise<void> {
    await this.options.store.runNow(ids, this.options.now());
    this.wake();
  }

  /** Looks for work now (a job was just written). */
  wake(): void {
    if (this.stopped || this.pumping) return;
    this.pumping = true;
    this.pump()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'could not claim work'))
      .finally(() => {
        this.pumping = false;
      });
  }

  /**
   * Takes no new work, lets what runs finish for up to `graceMs`, then hands the rest back to the
   * table (released at once, for this bot's next start or another replica). Returns how many.
   */
  async stop(graceMs: number): Promise<number> {
    this.stopped = true;
    clearInterval(this.poller);
    clearInterval(this.heartbeat);
    if (this.held.size > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise((resolve) => setTimeout(resolve, graceMs)),
      ]);
    }
    const left = [...this.held];
    await this.options.store.release(left, this.options.owner);
    return left.length;
  }

  /** Resolves once nothing runs and nothing is ready in the table (tests and benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      if ((await this.options.store.open()) === 0 && this.held.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async pump(): Promise<void> {
    const { store, owner, now, leaseMs, concurrency, logger } = this.options;
    while (!this.stopped && this.held.size < concurrency) {
      const jobs = await store.claim(owner, now(), leaseMs, concurrency - this.held.size);
      if (jobs.length === 0) return;
      for (const job of jobs) {
        // Its lease ran out while this very worker still runs it (a stalled loop): not twice.
        if (this.held.has(job.id)) continue;
        this.held.add(job.id);
        this.notStarted.delete(job.id);
        if (job.attempt > 1)
          logger.info({ job: job.id, kind: job.kind, attempt: job.attempt }, 'resuming work');
        void this.run(job).finally(() => {
          this.held.delete(job.id);
          if (this.held.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
          this.wake();
        });
        // One job started per turn of the event loop: requests waiting for their ack go first.
        await nextTurn();
      }
    }
  }

  private async run(job: Job): Promise<void> {
    const { store, owner, now, logger } = this.options;
    const kind = this.kinds.get(job.kind);
    let notes = job.notes;
    const ctx: JobContext = {
      note: async (more) => {
        notes = { ...notes, ...more };
        await store.note(job.id, owner, notes, now());
      },
    };
    let result: JobResult;
    try {
      if (!kind) throw new Error(`no handler for job kind ${job.kind}`);
      result = await kind.run({ ...job, notes }, ctx);
    } catch (error) {
      logger.error({ err: error, job: job.id, kind: job.kind, attempt: job.attempt }, 'work failed');
      result = job.attempt >= MAX_ATTEMPTS ? 'failed' : { retryInMs: backoff(job.attempt) };
    }
    try {
      if (result === 'done') await store.done(job.id, owner, now());
      else if (result === 'failed') await store.drop(job.id, owner);
      else if ('waitMs' in result) await store.retry(job.id, owner, now() + result.waitMs, now(), false);
      else await store.retry(job.id, owner, now() + result.retryInMs, now());
    } catch (error) {
      // The lease runs out and the job is resumed: its work reads LaunchDarkly before acting.
      logger.error({ err: error, job: job.id }, 'could not record the end of a job');
    }
  }

  private renew(): void {
    const { store, owner, now, leaseMs, logger } = this.options;
    store.renew([...this.held], owner, now() + leaseMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not renew the leases of running work');
    });
  }

  /**
   * A request that has not started after `tellAfterMs` is told its place in line, and again every
   * `tellEveryMs` while it still waits, at most MAX_WAITING_WORDS times (a response_url takes 5).
   */
  private tellIfWaiting(kind: string, id: string, payload: unknown): void {
    const handler = this.kinds.get(kind);
    if (!handler?.waiting) return;
    const { store, logger, tellAfterMs = 3_000, tellEveryMs = 8_000 } = this.options;
    this.notStarted.add(id);
    const tell = (told: number) => {
      if (!this.notStarted.has(id) || this.stopped) return;
      store
        .ahead(id)
        .then((ahead) => (ahead !== undefined ? handler.waiting!({ payload }, ahead) : undefined))
        .catch((error: unknown) => logger.warn({ err: error }, 'could not tell a person they wait'))
        .finally(() => {
          if (told + 1 < MAX_WAITING_WORDS) setTimeout(() => tell(told + 1), tellEveryMs).unref();
          else this.notStarted.delete(id);
        });
    };
    setTimeout(() => tell(0), tellAfterMs).unref();
  }
}

/** 2 s, 4 s, 8 s, 16 s: together they ride out a LaunchDarkly or Slack outage of half a minute. */
export function backoff(attempt: number): number {
  return Math.min(2 ** attempt * 1_000, 30_000);
}

/** The worker that does what was acked, from the jobs table of `database`. */
export function createWorker(
  config: Config,
  database: Db,
  deps: { logger: Logger; owner: string; pollMs?: number },
): Worker {
  return new Worker({
    store: new JobStore(database.db, database.dialect),
    logger: deps.logger.child({ component: 'work' }),
    // Leases and retries run on the real clock, whatever clock the domain is given.
    now: Date.now,
    owner: deps.owner,
    concurrency: config.work.concurrency,
    leaseMs: config.work.leaseMs,
    maxOpen: config.work.maxOpen,
    pollMs: deps.pollMs,
  });
}
