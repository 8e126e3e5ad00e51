import { DEFAULT_MIGRATION_TABLE, type Kysely, type MigrationProvider, Migrator, sql } from 'kysely';
import { MIGRATIONS } from './migrations/all.js';

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * The database holds migrations this version does not have: a newer version of the bot migrated
 * it (Kysely's own words for this are "corrupted migrations").
 */
export class NewerSchemaError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(
      `it was migrated by a newer version of ld-expiry-bot (migration ${unknown.join(', ')}, which this version does not have): run that version or a later one, or restore the database from a backup taken before it`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** Applied migrations this version does not know; none when the bookkeeping table cannot be read. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator's table is below the typed schema
async function unknownMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const rows: Array<{ name: string }> = await (schema ? db.withSchema(schema) : db)
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select('name')
    .execute()
    .catch(() => []);
  return rows.map((r) => r.name).filter((name) => !Object.hasOwn(MIGRATIONS, name));
}

/**
 * Brings the schema up to date. On PostgreSQL Kysely's migrator holds an advisory lock, so
 * replicas starting together apply each migration once. SQLite has no such lock across
 * connections: a migrator that loses the race fails on the winner's tables, and simply looks
 * again, finding the work done.
 */
export async function migrate(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
  db: Kysely<any>,
  dialect: 'sqlite' | 'postgres',
  attempts = 5,
): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which: name ours.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await new Migrator({ db, provider, migrationTableSchema }).migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    const unknown = await unknownMigrations(db, migrationTableSchema);
    if (unknown.length > 0) throw new NewerSchemaError(unknown);
    if (attempt >= attempts) throw error;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}
