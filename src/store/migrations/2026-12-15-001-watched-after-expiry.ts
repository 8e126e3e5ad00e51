import type { Kysely, Migration } from 'kysely';

export const watchedAfterExpiry: Migration = {
  // One row per watching channel, watched expiry and instant once it has passed: the claim of
  // whoever says what happened in that channel, kept a day after it is settled (as after_expiry).
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('watched_after_expiry')
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('expiry_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('posted_ts', 'text')
      .addPrimaryKeyConstraint('watched_after_expiry_pk', ['channel_id', 'expiry_id', 'expires_at'])
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('watched_after_expiry').execute();
  },
};
