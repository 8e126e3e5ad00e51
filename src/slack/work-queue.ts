import type { Logger } from '../log.js';

/**
 * Runs the work behind acks a few jobs at a time. Slack's 3-second deadline is for the ack; the
 * work after it can wait its turn. Without a limit, a burst of commands starts all their work at
 * once and every new ack queues behind it on the one event loop; with one, acks stay as quick as
 * a bare app's while the jobs (which mostly wait on LaunchDarkly) drain in order.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly drained: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Queues a job and returns at once, so the listener that acked ends and Bolt lets go of the
   * request; the job should hold only what it needs. A job that fails is logged as `what`.
   */
  enqueue(what: string, job: () => Promise<unknown>): void {
    this.run(job).catch((error: unknown) => this.logger.error({ err: error, work: what }, 'work failed'));
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    // A finished job hands its slot straight to the next one, so `running` never dips between them.
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else if (--this.running === 0) for (const resolve of this.drained.splice(0)) resolve();
    }
  }

  /** Jobs running or waiting for a turn. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  /** Resolves once no job runs or waits: a stopping bot finishes what it acked. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }
}
