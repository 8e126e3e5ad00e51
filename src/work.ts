import type { Config } from './config.js';
import { Worker } from './jobs/worker.js';
import type { Logger } from './log.js';
import type { Db } from './store/database.js';
import { JobStore } from './store/job-store.js';

/**
 * Changes worked on at once. Each mostly waits on LaunchDarkly, so as many as the LaunchDarkly
 * client has connections (32): at 8, 1,000 commands with LaunchDarkly at 1 s a call took 131 s to
 * the last result (bench `queue`). LaunchDarkly's 429s still pace them per route.
 */
export const WORK_CONCURRENCY = 32;

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
