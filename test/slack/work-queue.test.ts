import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { WorkQueue } from '../../src/slack/work-queue.js';

const quiet = () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', secrets: [], destination: { write: (l) => lines.push(l) } });
  return { logger, lines };
};
const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('runs at most its concurrency at once, in arrival order, and frees a slot when a job fails', async () => {
    const queue = new WorkQueue(2, quiet().logger);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const job = (i: number, fail = false) =>
      queue.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        if (fail) throw new Error(`job ${i}`);
        return i;
      });
    const results = await Promise.allSettled([job(0), job(1, true), job(2), job(3), job(4)]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(queue.pending).toBe(0);
  });

  it('enqueue returns at once and logs a job that fails; idle waits for every queued job', async () => {
    const { logger, lines } = quiet();
    const queue = new WorkQueue(1, logger);
    const done: number[] = [];
    for (const i of [0, 1, 2]) {
      queue.enqueue(`job ${i}`, async () => {
        await tick();
        if (i === 1) throw new Error('LaunchDarkly said no');
        done.push(i);
      });
    }
    expect(done).toEqual([]);
    expect(queue.pending).toBe(3);
    await queue.idle();
    expect(done).toEqual([0, 2]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, work: 'job 1', msg: 'work failed' });
    await expect(queue.idle()).resolves.toBeUndefined();
  });
});
