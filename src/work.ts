import type { Config } from './config.js';
import { Worker } from './jobs/worker.js';
import type { Logger } from './log.js';
import type { Db } from './store/database.js';
import { JobStore } from './store/job-store.js';

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
