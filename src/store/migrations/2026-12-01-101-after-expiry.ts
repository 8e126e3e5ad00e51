import type { Kysely, Migration } from 'kysely';

export const afterExpiry: Migration = {
  // One row per expiry and instant once it has passed: the claim of whoever says what happened.
  // Kept a day after the expiry is forgotten, so a replica that read it just before cannot
  // claim it again.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('after_expiry')
      .addColumn('expiry_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('posted_ts', 'text')
      .addPrimaryKeyConstraint('after_expiry_pk', ['expiry_id', 'expires_at'])
      .execute();
    // The Home tab reads one person's expiries, soonest first.
    await db.schema
      .createIndex('expiries_requested_by')
      .on('expiries')
      .columns(['requested_by', 'expires_at'])
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('expiries_requested_by').execute();
    await db.schema.dropTable('after_expiry').execute();
  },
};
