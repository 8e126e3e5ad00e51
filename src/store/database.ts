import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../log.js';
import { BackgroundCheckpoints } from './checkpoints.js';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';
import { probeWrite } from './write-probe.js';

/** The longest wait for a new PostgreSQL connection, handshake included. */
export const DB_CONNECT_TIMEOUT_MS = 5_000;
/** The longest a statement may run: the server cancels it; the client gives up a little later. */
export const DB_STATEMENT_TIMEOUT_MS = 10_000;
/** What `ping()` waits by default. */
export const DB_PING_TIMEOUT_MS = 2_000;

export interface Db {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** A cheap round trip (`select 1`); rejects with DatabaseUnavailableError within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /** A write it must take (write-probe.ts); rejects with the driver's error (see `readOnlyReason`). */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  logger?: Logger;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** SQLite: WAL checkpoints on a thread of their own, off the event loop (see checkpoints.ts). */
  checkpointInBackground?: boolean;
}

/** The database did not answer in time or could not be reached; says which, never how to log in. */
export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    /** Node's or PostgreSQL's code, e.g. ECONNREFUSED, ETIMEDOUT, 57P01. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** The safe fields of a driver error: pg's carry their client, connection and sometimes the URL. */
export function dbErrorFields(error: unknown): { code?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * A pg client whose statements end on time: a statement the server stops answering rejects after
 * the query timeout, and its connection is dropped, since it may never answer again (a stalled
 * proxy, a half-open socket after a failover) and would otherwise be handed to the next query.
 */
class DeadlineClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; Kysely uses the promise one.
  override query(...args: any[]): any {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const result = (super.query as any)(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      if (error instanceof Error && error.message === 'Query read timeout') {
        (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
        throw new DatabaseUnavailableError('The database did not answer in time', 'ETIMEDOUT');
      }
      throw error;
    });
  }
}

/** `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path → SQLite (the folder is created). */
export function openDatabase(url: string, options: DatabaseOptions = {}): Db {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options);
  const path = url.replace(/^sqlite:/i, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL stays consistent after a crash and skips an fsync per commit, which would
  // otherwise stall the event loop (better-sqlite3 is synchronous) on every write.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const checkpoints =
    options.checkpointInBackground && path !== ':memory:'
      ? new BackgroundCheckpoints(sqlite, options.logger)
      : undefined;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: reusingStatements(sqlite, () => checkpoints?.wrote()) }),
  });
  return {
    db,
    dialect: 'sqlite',
    // Synchronous underneath: it answers or throws, it cannot hang on a network.
    ping: async () => {
      try {
        sqlite.prepare('select 1').get();
      } catch (error) {
        throw new DatabaseUnavailableError(
          `SQLite is unusable: ${dbErrorFields(error).message}`,
          dbErrorFields(error).code,
        );
      }
    },
    probeWrite: () => probeWrite(db, Date.now()),
    close: async () => {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

/** Distinct statements kept prepared: every query the bot makes, with room to spare. */
const STATEMENT_CACHE = 200;

/**
 * Kysely's SQLite driver prepares every query anew; this keeps the most recent statements, as
 * pg does per connection. Worth it on the ack path: a prepare costs as much as the job's insert.
 * `wrote` hears of each write about to run (for the checkpoint thread).
 */
function reusingStatements(sqlite: SQLite.Database, wrote: () => void): SqliteDatabase {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = prepared.get(text);
      if (statement) prepared.delete(text);
      else statement = sqlite.prepare(text);
      prepared.set(text, statement); // the most recently used last
      if (prepared.size > STATEMENT_CACHE) prepared.delete(prepared.keys().next().value!);
      if (!statement.reader) wrote();
      return statement;
    },
  };
}

function openPostgres(url: string, options: DatabaseOptions): Db {
  const connectTimeoutMs = options.connectTimeoutMs ?? DB_CONNECT_TIMEOUT_MS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DB_STATEMENT_TIMEOUT_MS;
  // int8 columns hold Unix ms: well inside 2^53, so read them as numbers, not strings.
  const INT8 = 20;
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 ? Number : pg.types.getTypeParser(oid, format ?? 'text'),
  } as pg.CustomTypesConfig;
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    types,
    Client: DeadlineClient,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 2_000,
    // Notices a peer that vanished without closing (a failover) on idle connections too.
    keepAlive: true,
  });
  const warn = (error: unknown, what: string) => options.logger?.warn(dbErrorFields(error), what);
  // Without these listeners a connection the server drops (restart, failover, pg_terminate_backend)
  // is an uncaught 'error' event that ends the process. The pool replaces the connection on its own.
  pool.on('error', (error) => warn(error, 'a PostgreSQL connection was lost; the pool reconnects'));
  pool.on('connect', (client) => {
    // A connection lost while checked out emits on the client, where the pool listens only while
    // idle; the statement using it fails with the same error, so a debug line is enough here.
    client.on('error', (error) =>
      options.logger?.debug(dbErrorFields(error), 'a PostgreSQL connection in use was lost'),
    );
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    ping: (timeoutMs = DB_PING_TIMEOUT_MS) =>
      withTimeout(
        sql`select 1`.execute(db).then(() => undefined),
        timeoutMs,
        `The database did not answer within ${timeoutMs / 1000} s`,
      ),
    probeWrite: () => probeWrite(db, Date.now()),
    close: () => db.destroy(),
  };
}

/** Rejects with DatabaseUnavailableError when `work` takes longer than `ms` (or fails). */
function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(message, 'ETIMEDOUT')), ms);
  });
  const failed = work.catch((error: unknown) => {
    if (error instanceof DatabaseUnavailableError) throw error;
    const { message: why, code } = dbErrorFields(error);
    throw new DatabaseUnavailableError(`The database is unreachable: ${why}`, code);
  });
  return Promise.race([failed, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Opens, migrates and proves the database takes writes: a read-only SQLite file or a PostgreSQL
 * standby would otherwise pass every read and refuse every change. A server that accepts connections but never answers fails this within
 * seconds (DB_CONNECT_TIMEOUT_MS) with a DatabaseUnavailableError, instead of hanging the start.
 */
export async function connect(url: string, options: DatabaseOptions = {}): Promise<Db> {
  const handle = openDatabase(url, options);
  try {
    await handle.ping((options.connectTimeoutMs ?? DB_CONNECT_TIMEOUT_MS) + 1_000);
    await migrate(handle.db, handle.dialect);
    await handle.probeWrite();
  } catch (error) {
    // Closing says goodbye to the server, which a stalled one never acknowledges: do not wait long.
    await Promise.race([
      handle.close().catch(() => undefined),
      new Promise((r) => setTimeout(r, 1_000).unref()),
    ]);
    throw error;
  }
  return handle;
}
