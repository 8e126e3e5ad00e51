/**
 * Runs the work behind acks a few jobs at a time. Slack's 3-second deadline is for the ack; the
 * work after it can wait its turn. Without a limit, a burst of commands starts all their work at
 * once and every new ack queues behind it on the one event loop; with one, acks stay as quick as
 * a bare app's while the jobs (which mostly wait on LaunchDarkly) drain in order.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Jobs waiting for a turn. */
  get backlog(): number {
    return this.waiting.length;
  }
}
