import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.js';
import { type Job, JobStore } from '../../src/store/job-store.js';
import {
  type JobKind,
  type JobResult,
  MAX_ATTEMPTS,
  Worker,
  type WorkerOptions,
} from '../../src/work/worker.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';
import { silent } from '../helpers/silent-logger.js';

describe.each(DATABASES)('the durable work queue on %s', (_name, url) => {
  let db: Db;
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(0)));
    await db?.close();
  });

  async function setup(dbUrl = url()) {
    db = await freshDatabase(dbUrl);
    return new JobStore(db.db, db.dialect);
  }

  function worker(store: JobStore, owner: string, run: JobKind['run'], extra: Partial<WorkerOptions> = {}) {
    const w = new Worker({
      store,
      logger: silent,
      now: Date.now,
      owner,
      concurrency: 2,
      leaseMs: 300,
      pollMs: 20,
      maxOpen: 100,
      ...extra,
    });
    w.handle('k', { run });
    workers.push(w);
    return w;
  }

  const until = async (probe: () => boolean | Promise<boolean>, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('a request delivered twice is one job; a full queue refuses new ones', async () => {
    const store = await setup();
    const w = worker(store, 'a', async () => 'done', { maxOpen: 2 });
    expect(await w.submit('k', 'req-1', { n: 1 })).toBe('queued');
    expect(await w.submit('k', 'req-1', { n: 1 })).toBe('duplicate');
    expect(await w.submit('k', 'req-2', { n: 2 })).toBe('queued');
    expect(await w.submit('k', 'req-3', { n: 3 })).toBe('full');
    expect(await store.open()).toBe(2);
  });

  it('requests written in the same turn share one statement and keep their answers', async () => {
    const store = await setup();
    await store.add({ id: 'old', kind: 'k', payload: {} }, 1);
    const statements: string[] = [];
    const counted = new JobStore(
      db.db.withPlugin({
        transformQuery: (args) => {
          if (args.node.kind === 'InsertQueryNode') statements.push(args.queryId.queryId);
          return args.node;
        },
        transformResult: async (args) => args.result,
      }),
      db.dialect,
    );
    // Written together: a new one, one already there, a new one twice (Slack's retry), another.
    const answers = await Promise.all(
      ['a', 'old', 'b', 'b', 'c'].map((id, i) => counted.add({ id, kind: 'k', payload: { i } }, 10 + i)),
    );
    expect(answers).toEqual([true, false, true, false, true]);
    expect(statements).toHaveLength(1);
    const b = await counted.claim('w', 100, 1_000, 10);
    expect(b.map((job) => [job.id, job.payload])).toEqual([
      ['old', {}],
      ['a', { i: 0 }],
      ['b', { i: 2 }],
      ['c', { i: 4 }],
    ]);
  });

  it('two workers on one database run each job exactly once', async () => {
    const store = await setup();
    const ran: string[] = [];
    const run = async (job: Job): Promise<JobResult> => {
      ran.push(job.id);
      await new Promise((r) => setTimeout(r, 5));
      return 'done';
    };
    const a = worker(store, 'a', run, { concurrency: 4 });
    const b = worker(store, 'b', run, { concurrency: 4 });
    for (let i = 0; i < 40; i++) await store.add({ id: `j${i}`, kind: 'k', payload: {} }, Date.now());
    a.start();
    b.start();
    await until(async () => (await store.open()) === 0 && a.running + b.running === 0);
    expect(ran.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `j${i}`).sort());
  });

  it("takes over a dead worker's job once its lease runs out, with its notes and the next attempt", async () => {
    const store = await setup();
    await store.add({ id: 'j', kind: 'k', payload: { x: 1 } }, Date.now());
    // A worker that claims and notes, then dies (never renews, never finishes).
    const [held] = await store.claim('dead', Date.now(), 200, 1);
    await store.note(held!.id, 'dead', { planned: { sandy: 1 } }, Date.now());
    const seen: Job[] = [];
    const alive = worker(store, 'alive', async (job) => {
      seen.push(job);
      return 'done';
    });
    alive.start();
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({
      id: 'j',
      attempt: 2,
      payload: { x: 1 },
      notes: { planned: { sandy: 1 } },
    });
  });

  it('renews the lease of long work, so nobody else takes it', async () => {
    const store = await setup();
    let runs = 0;
    let release!: () => void;
    const slow = worker(store, 'slow', async () => {
      runs++;
      await new Promise<void>((r) => {
        release = r;
      });
      return 'done';
    });
    const other = worker(store, 'other', async () => {
      runs++;
      return 'done';
    });
    slow.start();
    await slow.submit('k', 'long', {});
    await until(() => runs === 1);
    other.start();
    await new Promise((r) => setTimeout(r, 1_000)); // three leases long
    expect(runs).toBe(1);
    release();
    await until(async () => (await store.open()) === 0);
  });

  it('retries a job at the time it asks, and drops one that failed for good so it can be asked again', async () => {
    const store = await setup();
    const attempts: number[] = [];
    const w = worker(store, 'a', async (job) => {
      attempts.push(job.attempt);
      return job.attempt < 2 ? { retryInMs: 50 } : 'failed';
    });
    w.start();
    await w.submit('k', 'r', {});
    await until(async () => (await store.open()) === 0);
    expect(attempts).toEqual([1, 2]);
    expect(await w.submit('k', 'r', {})).toBe('queued');
  });

  it('a job waiting its turn is run again without using up a try; open jobs are found by their prefix', async () => {
    const store = await setup();
    const attempts: number[] = [];
    let go = false;
    const w = worker(store, 'a', async (job) => {
      if (job.id === 'click:b:2') return 'done';
      attempts.push(job.attempt);
      return go ? 'done' : { waitMs: 10 };
    });
    await w.submit('k', 'click:b:2', { who: 2 });
    await w.submit('k', 'click:a:1', { who: 1 });
    await w.submit('k', 'click:ab', {});
    expect((await w.openStartingWith('click:a:')).map(({ id, payload }) => ({ id, payload }))).toEqual([
      { id: 'click:a:1', payload: { who: 1 } },
    ]);
    w.start();
    await until(() => attempts.length > MAX_ATTEMPTS * 2);
    go = true;
    await until(async () => (await store.open()) === 0);
    expect(new Set(attempts)).toEqual(new Set([1]));
    expect(await w.openStartingWith('click:')).toEqual([]);
  });

  it('a job that throws is retried, and given up after the last attempt', async () => {
    const store = await setup();
    let runs = 0;
    const w = worker(store, 'a', async () => {
      runs++;
      throw new Error('boom');
    });
    // Attempts 1–4 back off 2, 4, 8, 16 s: start from the fourth to keep the test short.
    await store.add({ id: 'x', kind: 'k', payload: {} }, Date.now());
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      await store.claim('setup', Date.now(), 0, 1);
      await store.retry('x', 'setup', 0, Date.now());
    }
    w.start();
    await until(async () => (await store.open()) === 0);
    expect(runs).toBe(1);
  });

  it('a stop waits for running work, then hands back what is left at once', async () => {
    const store = await setup();
    const w = worker(store, 'a', () => new Promise<JobResult>(() => undefined), { leaseMs: 60_000 });
    w.start();
    await w.submit('k', 'stuck', {});
    await until(() => w.running === 1);
    expect(await w.stop(100)).toBe(1);
    const [taken] = await store.claim('next', Date.now(), 1_000, 1);
    expect(taken).toMatchObject({ id: 'stuck', attempt: 2 });
  });

  /** One worker, one job at a time: 'first' runs until released; the others wait and are told so. */
  function behindFirst(store: JobStore, tellAfterMs: number, tellEveryMs: number) {
    const told: Array<[string, number]> = [];
    let release!: () => void;
    const w = new Worker({
      store,
      logger: silent,
      now: Date.now,
      owner: 'a',
      concurrency: 1,
      leaseMs: 1_000,
      pollMs: 20,
      maxOpen: 100,
      tellAfterMs,
      tellEveryMs,
    });
    workers.push(w);
    w.handle('k', {
      run: (job) =>
        job.id === 'first'
          ? new Promise<JobResult>((r) => (release = () => r('done')))
          : Promise.resolve('done'),
      waiting: async (job, ahead) => {
        told.push([(job.payload as { id: string }).id, ahead]);
      },
    });
    w.start();
    return { w, told, release: () => release() };
  }

  it('tells a request that waits its turn how many are ahead, again while it waits, at most 3 times', async () => {
    const { w, told, release } = behindFirst(await setup(), 100, 100);
    for (const id of ['first', 'second', 'third']) await w.submit('k', id, { id });
    await until(() => told.length === 6);
    await new Promise((r) => setTimeout(r, 300)); // no fourth word
    expect(told.filter(([id]) => id === 'second').map(([, n]) => n)).toEqual([1, 1, 1]);
    expect(told.filter(([id]) => id === 'third').map(([, n]) => n)).toEqual([2, 2, 2]);
    // Once its turn comes, nobody is told it waits any more.
    release();
    await w.idle();
    const after = told.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(told).toHaveLength(after);
  });

  it('stops telling a request it waits once it has started', async () => {
    const { w, told, release } = behindFirst(await setup(), 50, 200);
    for (const id of ['first', 'second']) await w.submit('k', id, { id });
    await until(() => told.length === 1);
    release(); // 'second' starts before its next word is due
    await w.idle();
    await new Promise((r) => setTimeout(r, 400));
    expect(told).toEqual([['second', 1]]);
  });
});
