import type { Kysely, Migration } from 'kysely';

export const expiriesAndReminders: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('expiries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('resource_kind', 'text', (c) => c.notNull())
      .addColumn('project_key', 'text', (c) => c.notNull())
      .addColumn('environment_key', 'text', (c) => c.notNull())
      .addColumn('resource_key', 'text', (c) => c.notNull())
      .addColumn('context_kind', 'text', (c) => c.notNull())
      .addColumn('target_key', 'text', (c) => c.notNull())
      .addColumn('variation_id', 'text')
      .addColumn('variation_name', 'text')
      .addColumn('target_type', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('message_ts', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('expiries_target', [
        'resource_kind',
        'project_key',
        'environment_key',
        'resource_key',
        'context_kind',
        'target_key',
      ])
      .execute();
    await db.schema.createIndex('expiries_expires_at').on('expiries').column('expires_at').execute();
    await db.schema
      .createTable('reminders')
      .addColumn('expiry_id', 'text', (c) => c.notNull())
      .addColumn('lead_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('posted_ts', 'text')
      .addPrimaryKeyConstraint('reminders_pk', ['expiry_id', 'lead_ms', 'expires_at'])
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('reminders').execute();
    await db.schema.dropTable('expiries').execute();
  },
};
