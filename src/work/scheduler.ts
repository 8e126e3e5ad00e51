import type { Logger } from '../log.js';

export interface Scheduled {
  /** Waits for a pass in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * Runs `task` now and then every `intervalMs`, never two at once. A failed pass is logged and the
 * next one runs as planned. Timing only: what a pass does lives in the job.
 */
export function every(
  intervalMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
  name: string,
): Scheduled {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    running = task()
      .catch((error) => logger.error({ err: error, pass: name }, 'timed pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
