import type { Kysely, Migration } from 'kysely';

export const ldLinks: Migration = {
  // Acting as the person (PRODUCT §15): linked LaunchDarkly members with their tokens sealed
  // (AES-256-GCM, the key never here), the OAuth states handed out (hashed, single-use), and the
  // jobs holding a change until its person links.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('ld_links')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('member_email', 'text')
      .addColumn('member_name', 'text')
      .addColumn('access_token', 'text', (c) => c.notNull())
      .addColumn('refresh_token', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('refreshing_until', 'bigint')
      .addColumn('linked_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('ld_link_states')
      .addColumn('state_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('verifier', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createTable('ld_link_waits')
      .addColumn('job_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ld_link_waits_user').on('ld_link_waits').column('user_id').execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see all.ts)
  async down(db: Kysely<any>) {
    await db.schema.dropTable('ld_link_waits').execute();
    await db.schema.dropTable('ld_link_states').execute();
    await db.schema.dropTable('ld_links').execute();
  },
};
