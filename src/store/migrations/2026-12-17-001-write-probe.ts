import type { Kysely, Migration } from 'kysely';

export const writeProbe: Migration = {
  // One row the start check and /readyz upsert to prove the database takes writes (write-probe.ts).
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('write_probe')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('written_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('write_probe').execute();
  },
};
