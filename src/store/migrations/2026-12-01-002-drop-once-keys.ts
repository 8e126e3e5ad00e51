import type { Kysely, Migration } from 'kysely';

export const dropOnceKeys: Migration = {
  // Requests delivered twice now meet their job (its id is the once-key): the table is unused.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema.dropTable('once_keys').execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema
      .createTable('once_keys')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
