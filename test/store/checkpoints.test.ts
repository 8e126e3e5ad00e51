import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointInBackground } from '../../src/store/checkpoints.js';

describe('SQLite checkpoints on a thread of their own', () => {
  const open: SQLite.Database[] = [];
  afterEach(() => {
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
  const write = (db: SQLite.Database, rows: number) => {
    const insert = db.prepare('insert into t (body) values (?)');
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(2_000));
  };

  it('the writing connection never checkpoints; the thread does, so the log is reused', async () => {
    const { db, wal } = database();
    const checkpoints = await checkpointInBackground(db, undefined, 50);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(db, 3_000); // ~1,500 pages: past SQLite's own 1,000-page mark
    const grown = wal();
    // The thread copies the log into the database; the next writes start the log over.
    await new Promise((r) => setTimeout(r, 300));
    write(db, 3_000);
    expect(wal()).toBeLessThan(grown * 1.5);
    await checkpoints.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 6_000 });
  });

  it('without the thread the log only grows (what the test above would see if the thread did nothing)', () => {
    const { db, wal } = database();
    db.pragma('wal_autocheckpoint = 0');
    write(db, 3_000);
    const grown = wal();
    write(db, 3_000);
    expect(wal()).toBeGreaterThan(grown * 1.5);
  });

  it('a thread that cannot open the file leaves checkpoints where SQLite keeps them', async () => {
    const { db, path } = database();
    rmSync(path); // the open connection keeps working; a new one finds no file
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, message: string) => warnings.push(message) };
    const checkpoints = await checkpointInBackground(db, logger as never, 50);
    expect(warnings).toEqual(['SQLite checkpoints stay on the main thread']);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await checkpoints.stop();
  });
});
