import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { migrate } from './migrations.js';
import type { Database } from './schema.js';

export interface Db {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** The cheapest query there is: resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const ping = (db: Kysely<Database>) => () => sql`select 1`.execute(db).then(() => undefined);

/**
 * `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path → SQLite (the folder is created).
 * Only the driver in use is loaded: the other would cost several MiB of resident memory for nothing.
 */
export async function openDatabase(url: string): Promise<Db> {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { default: pg } = await import('pg');
    // int8 columns hold Unix ms: well inside 2^53, so read them as numbers, not strings.
    const INT8 = 20;
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format ?? 'text'),
    } as import('pg').CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: url, max: 5, types });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', ping: ping(db), close: () => db.destroy() };
  }
  const { default: SQLite } = await import('better-sqlite3');
  const path = url.replace(/^sqlite:/i, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL stays consistent after a crash and skips an fsync per commit, which would
  // otherwise stall the event loop (better-sqlite3 is synchronous) on every write.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', ping: ping(db), close: () => db.destroy() };
}

/** Opens and migrates. */
export async function connect(url: string): Promise<Db> {
  const handle = await openDatabase(url);
  try {
    await migrate(handle.db, handle.dialect);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
