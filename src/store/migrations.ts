import {
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
} from 'kysely';

/**
 * Versioned schema changes, applied in name order, each once. Never edit one that has shipped.
 * Migrations see the database untyped (`Kysely<any>`, as Kysely advises): they run against
 * whatever schema came before them, not today's types.
 */
const migrations: Record<string, Migration> = {
  '2026-11-22-001-expiries-and-reminders': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('reminders').execute();
      await db.schema.dropTable('expiries').execute();
    },
  },
  '2026-11-22-002-confirmations-and-once-keys': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('confirmations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('outcome', 'text')
        .execute();
      await db.schema
        .createTable('once_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('once_keys').execute();
      await db.schema.dropTable('confirmations').execute();
    },
  },
  '2026-12-01-001-jobs': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('jobs').execute();
    },
  },
  '2026-12-01-002-drop-once-keys': {
    // Requests delivered twice now meet their job (its id is the once-key): the table is unused.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async up(db: Kysely<any>) {
      await db.schema.dropTable('once_keys').execute();
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema
        .createTable('once_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '2026-12-01-014-watching': {
    // Watching (PRODUCT §7): who follows which environment, each environment's scan and sync
    // state with its lease, the mirror of LaunchDarkly's expiring targets, and reminder claims
    // per watching channel.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      for (const table of ['watch_reminders', 'mirrored_expiries', 'watched_environments', 'watches']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  '2026-12-01-101-after-expiry': {
    // One row per expiry and instant once it has passed: the claim of whoever says what happened.
    // Kept a day after the expiry is forgotten, so a replica that read it just before cannot
    // claim it again.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('expiries_requested_by').execute();
      await db.schema.dropTable('after_expiry').execute();
    },
  },
  '2026-12-15-001-watched-after-expiry': {
    // One row per watching channel, watched expiry and instant once it has passed: the claim of
    // whoever says what happened in that channel, kept a day after it is settled (as after_expiry).
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('watched_after_expiry').execute();
    },
  },
  '2026-12-16-001-approvals': {
    // Approvals in Slack (PRODUCT §13): one row per held change, its state moved by conditional
    // updates (`version`), so that two approvers clicking at once, or two replicas, act once.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
      await db.schema
        .createIndex('approvals_state')
        .on('approvals')
        .columns(['state', 'expires_at'])
        .execute();
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('approvals').execute();
    },
  },
  '2026-12-17-001-write-probe': {
    // One row the start check and /readyz upsert to prove the database takes writes (write-probe.ts).
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('write_probe')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('written_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('write_probe').execute();
    },
  },
  '2026-12-18-001-launchdarkly-approvals': {
    // LaunchDarkly's own approval requests the bot created (PRODUCT §14), followed until decided.
    // `next_check_at` is the claim on the next read (one replica reads); `state` moves once.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('ld_approvals').execute();
    },
  },
  '2026-12-20-001-ld-links': {
    // Acting as the person (PRODUCT §15): linked LaunchDarkly members with their tokens sealed
    // (AES-256-GCM, the key never here), the OAuth states handed out (hashed, single-use), and the
    // jobs holding a change until its person links.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
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
    // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (see above)
    async down(db: Kysely<any>) {
      await db.schema.dropTable('ld_link_waits').execute();
      await db.schema.dropTable('ld_link_states').execute();
      await db.schema.dropTable('ld_links').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * The database holds migrations this version does not have: a newer version of the bot migrated
 * it (Kysely's own words for this are "corrupted migrations").
 */
export class NewerSchemaError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(
      `it was migrated by a newer version of ld-expiry-bot (migration ${unknown.join(', ')}, which this version does not have): run that version or a later one, or restore the database from a backup taken before it`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** Applied migrations this version does not know; none when the bookkeeping table cannot be read. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator's table is below the typed schema
async function unknownMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const rows: Array<{ name: string }> = await (schema ? db.withSchema(schema) : db)
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select('name')
    .execute()
    .catch(() => []);
  return rows.map((r) => r.name).filter((name) => !Object.hasOwn(migrations, name));
}

/**
 * Brings the schema up to date. On PostgreSQL Kysely's migrator holds an advisory lock, so
 * replicas starting together apply each migration once. SQLite has no such lock across
 * connections: a migrator that loses the race fails on the winner's tables, and simply looks
 * again, finding the work done.
 */
export async function migrate(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
  db: Kysely<any>,
  dialect: 'sqlite' | 'postgres',
  attempts = 5,
): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which: name ours.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await new Migrator({ db, provider, migrationTableSchema }).migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    const unknown = await unknownMigrations(db, migrationTableSchema);
    if (unknown.length > 0) throw new NewerSchemaError(unknown);
    if (attempt >= attempts) throw error;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}
