import type { Kysely, Migration } from 'kysely';

export const watching: Migration = {
  // Watching (PRODUCT §7): who follows which environment, each environment's scan and sync
  // state with its lease, the mirror of LaunchDarkly's expiring targets, and reminder claims
  // per watching channel.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('watches')
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('project_key', 'text', (c) => c.notNull())
      .addColumn('environment_key', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('watches_pk', ['channel_id', 'project_key', 'environment_key'])
      .execute();
    await db.schema
      .createTable('watched_environments')
      .addColumn('project_key', 'text', (c) => c.notNull())
      .addColumn('environment_key', 'text', (c) => c.notNull())
      .addColumn('scan_gen', 'integer', (c) => c.notNull())
      .addColumn('scan_phase', 'text')
      .addColumn('scan_offset', 'integer', (c) => c.notNull())
      .addColumn('scan_started_at', 'bigint')
      .addColumn('last_scan_at', 'bigint')
      .addColumn('sync_after', 'bigint')
      .addColumn('sync_ids', 'text', (c) => c.notNull())
      .addColumn('synced_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('watched_environments_pk', ['project_key', 'environment_key'])
      .execute();
    await db.schema
      .createTable('mirrored_expiries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_key', 'text', (c) => c.notNull())
      .addColumn('environment_key', 'text', (c) => c.notNull())
      .addColumn('resource_kind', 'text', (c) => c.notNull())
      .addColumn('resource_key', 'text', (c) => c.notNull())
      .addColumn('resource_name', 'text')
      .addColumn('context_kind', 'text', (c) => c.notNull())
      .addColumn('target_key', 'text', (c) => c.notNull())
      .addColumn('variation_id', 'text')
      .addColumn('target_type', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('set_by', 'text')
      .addColumn('observed_at', 'bigint', (c) => c.notNull())
      .addColumn('scan_gen', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('mirrored_expiries_resource')
      .on('mirrored_expiries')
      .columns(['project_key', 'environment_key', 'resource_kind', 'resource_key'])
      .execute();
    await db.schema
      .createIndex('mirrored_expiries_expires_at')
      .on('mirrored_expiries')
      .column('expires_at')
      .execute();
    await db.schema
      .createTable('watch_reminders')
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('expiry_id', 'text', (c) => c.notNull())
      .addColumn('lead_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('posted_ts', 'text')
      .addPrimaryKeyConstraint('watch_reminders_pk', ['channel_id', 'expiry_id', 'lead_ms', 'expires_at'])
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    for (const table of ['watch_reminders', 'mirrored_expiries', 'watched_environments', 'watches']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
