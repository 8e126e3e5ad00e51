import type { Kysely, Migration } from 'kysely';

export const launchdarklyApprovals: Migration = {
  // LaunchDarkly's own approval requests the bot created (PRODUCT §14), followed until decided.
  // `next_check_at` is the claim on the next read (one replica reads); `state` moves once.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('ld_approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('requester_id', 'text', (c) => c.notNull())
      .addColumn('held', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('message_ts', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('next_check_at', 'bigint', (c) => c.notNull())
      .addColumn('pending_told_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ld_approvals_due')
      .on('ld_approvals')
      .columns(['state', 'next_check_at'])
      .execute();
    await db.schema.createIndex('ld_approvals_resource').on('ld_approvals').columns(['resource']).execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('ld_approvals').execute();
  },
};
