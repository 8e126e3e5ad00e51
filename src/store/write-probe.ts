import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What a person and `/readyz` are told when SQLite refuses writes (SQLITE_READONLY and its kin). */
export const SQLITE_READ_ONLY = 'the SQLite file is read-only';
/** The same for PostgreSQL (25006: a standby, or `default_transaction_read_only` on). */
export const POSTGRES_READ_ONLY =
  'PostgreSQL accepts only reads on this connection (a read-only transaction: a standby, or default_transaction_read_only is on)';

/**
 * Proves the database takes writes: an upsert into the one-row `write_probe` table. A committed
 * write, not one rolled back: the commit is where SQLite appends to its WAL and PostgreSQL flushes,
 * so it is where a read-only file, a standby or a full disk shows; one row, so nothing grows, and
 * the same statement on both dialects. Replicas probing together wait on one row lock, briefly.
 */
export async function probeWrite(db: Kysely<Database>, now: number): Promise<void> {
  await db
    .insertInto('write_probe')
    .values({ id: 1, written_at: now })
    .onConflict((c) => c.column('id').doUpdateSet({ written_at: now }))
    .execute();
}

/** The words for a write the database refused because it takes only reads; undefined for any other failure. */
export function readOnlyReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_READONLY')) return SQLITE_READ_ONLY;
  if (code === '25006') return POSTGRES_READ_ONLY;
  return undefined;
}
