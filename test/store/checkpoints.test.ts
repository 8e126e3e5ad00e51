import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpoints } from '../../src/store/checkpoints.js';

describe('SQLite checkpoints on a thread of their own', () => {
  const open: SQLite.Database[] = [];
  const threads: BackgroundCheckpoints[] = [];
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.stop()));
    for (const db of open.splice(0)) if (db.open) db.close();
  });

  function database() {
    const path = join(mkdtempSync(join(tmpdir(), 'ld-expiry-bot-wal-')), 'bot.sqlite');
    const db = new SQLite(path);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, body text)');
    open.push(db);
    return { db, path, wal: () => statSync(`${path}-wal`).size };
  }
  /** `rows` writes, each its own commit, telling the checkpoints of each as the store does. */
  const write = (db: SQLite.Database, rows: number, checkpoints?: BackgroundCheckpoints) => {
    const insert = db.prepare('insert into t (body) values (?)');
    for (let i = 0; i < rows; i++) {
      checkpoints?.wrote();
      insert.run('x'.repeat(2_000));
    }
  };
  const autocheckpoint = (db: SQLite.Database) => db.pragma('wal_autocheckpoint', { simple: true });
  /** The thread runs exactly while the writing connection leaves checkpoints to it. */
  const threadRuns = (db: SQLite.Database) => autocheckpoint(db) === 0;
  const until = async (probe: () => boolean) => {
    for (const deadline = Date.now() + 5_000; !probe(); ) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('starts once the log has grown, takes the checkpoints over, and the log is reused', async () => {
    const { db, wal } = database();
    const checkpoints = new BackgroundCheckpoints(db, undefined, { everyMs: 50, startAtBytes: 1024 * 1024 });
    threads.push(checkpoints);
    write(db, 100, checkpoints); // ~100 pages: under the mark
    await new Promise((r) => setTimeout(r, 100));
    expect(threadRuns(db)).toBe(false);
    expect(autocheckpoint(db)).toBe(1_000);

    write(db, 500, checkpoints);
    await until(() => threadRuns(db));
    expect(autocheckpoint(db)).toBe(0); // the writing connection no longer checkpoints
    write(db, 3_000); // ~1,500 pages: past SQLite's own 1,000-page mark
    const grown = wal();
    // The thread copies the log into the database; the next writes start the log over.
    await new Promise((r) => setTimeout(r, 300));
    write(db, 3_000);
    expect(wal()).toBeLessThan(grown * 1.5);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 6_600 });
  });

  it('without anyone checkpointing the log only grows (what the test above would see otherwise)', () => {
    const { db, wal } = database();
    db.pragma('wal_autocheckpoint = 0');
    write(db, 3_000);
    const grown = wal();
    write(db, 3_000);
    expect(wal()).toBeGreaterThan(grown * 1.5);
  });

  it('ends after a quiet spell, SQLite checkpointing again, and comes back with new writes', async () => {
    const { db } = database();
    const checkpoints = new BackgroundCheckpoints(db, undefined, {
      everyMs: 20,
      startAtBytes: 64 * 1024,
      idleChecks: 5,
    });
    threads.push(checkpoints);
    write(db, 200, checkpoints);
    await until(() => threadRuns(db));
    await until(() => !threadRuns(db));
    expect(autocheckpoint(db)).toBe(1_000);
    write(db, 200, checkpoints);
    await until(() => threadRuns(db));
    expect(autocheckpoint(db)).toBe(0);
  });

  it('a stop ends the thread and gives the checkpoints back', async () => {
    const { db } = database();
    const checkpoints = new BackgroundCheckpoints(db, undefined, { everyMs: 50, startAtBytes: 0 });
    await checkpoints.start();
    expect(threadRuns(db)).toBe(true);
    await checkpoints.stop();
    expect(threadRuns(db)).toBe(false);
    expect(autocheckpoint(db)).toBe(1_000);
    write(db, 100, checkpoints);
    expect(threadRuns(db)).toBe(false); // stopped for good
  });

  it('a thread that cannot open the file leaves checkpoints where SQLite keeps them', async () => {
    const { db, path } = database();
    rmSync(path); // the open connection keeps working; a new one finds no file
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, message: string) => warnings.push(message) };
    const checkpoints = new BackgroundCheckpoints(db, logger as never, { startAtBytes: 0 });
    await checkpoints.start();
    expect(warnings).toEqual(['SQLite checkpoints stay on the main thread']);
    expect(threadRuns(db)).toBe(false);
    expect(autocheckpoint(db)).toBe(1_000);
  });
});
