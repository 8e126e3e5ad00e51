import type { Kysely, Migration } from 'kysely';

export const approvals: Migration = {
  // Approvals in Slack (PRODUCT §13): one row per held change, its state moved by conditional
  // updates (`version`), so that two approvers clicking at once, or two replicas, act once.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requester_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('message_ts', 'text')
      .addColumn('held', 'text', (c) => c.notNull())
      .addColumn('approvers', 'text', (c) => c.notNull())
      .addColumn('needed', 'integer', (c) => c.notNull())
      .addColumn('votes', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decline_reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('reminded_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('approvals_state').on('approvals').columns(['state', 'expires_at']).execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('approvals').execute();
  },
};
