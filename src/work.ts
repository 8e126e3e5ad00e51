import type { Config } from './config.js';
import { Worker } from './jobs/worker.js';
import type { Logger } from './log.js';
import type { Db } from './store/database.js';
import { JobStore } from './store/job-store.js';

/**
 * Changes worked on at once; each mostly waits on LaunchDarkly, so a few keep it busy. 32 was
 * tried: 1,000 commands with LaunchDarkly at 1 s a call took 103 s to the last result instead of
 * 131 s (bench `queue`), and more jobs were caught between Slack's answer and its note when the
 * process was killed (3 doubled results in the crash loop, against 0).
 */
export const WORK_CONCURRENCY = 8;

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
    concurrency: WORK_CONCURRENCY,
    leaseMs: config.work.leaseMs,
    maxOpen: config.work.maxOpen,
    pollMs: deps.pollMs,
  });
}
