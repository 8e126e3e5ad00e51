import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/slack/work-queue.js';

describe('WorkQueue', () => {
  it('runs at most its concurrency at once, in arrival order, and frees a slot when a job fails', async () => {
    const queue = new WorkQueue(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const job = (i: number, fail = false) =>
      queue.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
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
    expect(queue.backlog).toBe(0);
  });
});
