import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrate } from './migrations.js';
import type { Database } from './schema.js';

export interface Db {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path → SQLite (the folder is created). */
export function openDatabase(url: string): Db {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    // int8 columns hold Unix ms: well inside 2^53, so read them as numbers, not strings.
    const INT8 = 20;
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format ?? 'text'),
    } as pg.CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: url, max: 5, types });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:/i, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL stays consistent after a crash and skips an fsync per commit, which would
  // otherwise stall the event loop (better-sqlite3 is synchronous) on every write.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Opens and migrates. */
export async function connect(url: string): Promise<Db> {
  const handle = openDatabase(url);
  try {
    await migrate(handle.db, handle.dialect);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
