import type { Kysely, Migration } from 'kysely';

export const jobs: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('run_after', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .addColumn('notes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'run_after']).execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('jobs').execute();
  },
};
