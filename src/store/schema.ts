import type { Generated } from 'kysely';

/** The columns every claim table has besides its key: who holds a claim since when, and how it ended. */
export interface ClaimColumns {
  claimed_by: string;
  claimed_at: number;
  /** null while held; then what was done (posted, superseded, changed, gone…) */
  outcome: string | null;
  posted_ts: string | null;
}

/** A claim table's row: its key columns and the claim's own. */
export type ClaimRow<Key> = Key & ClaimColumns;

/** One target's expiry on a flag or segment, as scheduled through the bot. Times are Unix ms. */
export interface ExpiriesTable {
  id: string;
  resource_kind: 'flag' | 'segment';
  project_key: string;
  environment_key: string;
  resource_key: string;
  context_kind: string;
  target_key: string;
  variation_id: string | null;
  variation_name: string | null;
  target_type: 'included' | 'excluded' | null;
  expires_at: number;
  requested_by: string;
  channel_id: string;
  /** The result message, for threading reminders under it. */
  message_ts: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * One reminder: an expiry, a lead time, and the expiry instant it was for (a moved expiry gets
 * fresh reminders). The primary key is the claim: whoever inserts the row posts the reminder.
 */
export type RemindersTable = ClaimRow<{ expiry_id: string; lead_ms: number; expires_at: number }>;

/**
 * What was said once an expiry's instant passed: the primary key is the claim, as for reminders.
 * Outlives its expiry by a day (pruned), so a replica that read the expiry just before it was
 * forgotten finds the claim taken.
 */
export type AfterExpiryTable = ClaimRow<{ expiry_id: string; expires_at: number }>;

/** A change to a protected environment waiting for its asker's Confirm. */
export interface ConfirmationsTable {
  id: string;
  user_id: string;
  channel_id: string;
  /** The change, as JSON. */
  request: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** confirmed | cancelled */
  outcome: string | null;
}

/**
 * Work acknowledged to Slack and not yet done: written before the ack, taken by a worker under a
 * lease, resumed by whoever finds the lease run out. The id is the request's once-key, so a
 * redelivered request finds its job already there.
 */
export interface JobsTable {
  id: string;
  kind: string;
  /** JSON: what the surface asked, enough to do the work from scratch. */
  payload: string;
  /** queued | running | done */
  state: string;
  attempts: number;
  run_after: number;
  lease_owner: string | null;
  lease_until: number;
  /** JSON: what the work wrote down as it went (its progress message, the instants it chose). */
  notes: string;
  created_at: number;
  updated_at: number;
}

/** A channel following every expiring target of one project and environment. */
export interface WatchesTable {
  channel_id: string;
  project_key: string;
  environment_key: string;
  created_by: string;
  created_at: number;
}

/** One watched environment's full-scan progress, audit-log cursor, and the lease over both. */
export interface WatchedEnvironmentsTable {
  project_key: string;
  environment_key: string;
  /** Incremented by every full scan; mirror rows of older scans are dropped when one finishes. */
  scan_gen: number;
  /** flags | segments while a scan runs; null otherwise. */
  scan_phase: string | null;
  /** The list offset the running scan resumes from. */
  scan_offset: number;
  scan_started_at: number | null;
  last_scan_at: number | null;
  /** The date of the newest audit-log entry read. */
  sync_after: number | null;
  /** JSON: the ids of entries read at `sync_after` (`after` is exclusive, a millisecond can hold several). */
  sync_ids: string;
  synced_at: number | null;
  lease_owner: string | null;
  lease_until: number;
}

/** One expiring target LaunchDarkly holds in a watched environment. */
export interface MirroredExpiriesTable {
  id: string;
  project_key: string;
  environment_key: string;
  resource_kind: 'flag' | 'segment';
  resource_key: string;
  resource_name: string | null;
  context_kind: string;
  target_key: string;
  variation_id: string | null;
  target_type: 'included' | 'excluded' | null;
  expires_at: number;
  /** Who set or last moved it, when the audit log said. */
  set_by: string | null;
  /** When this instant was first seen: reminders whose moment came before are not news. */
  observed_at: number;
  scan_gen: number;
}

/** A watched expiry's reminder in one channel; the primary key is the claim. */
export type WatchRemindersTable = ClaimRow<{
  channel_id: string;
  expiry_id: string;
  lead_ms: number;
  expires_at: number;
}>;

/**
 * What was said in one watching channel once a watched expiry's instant passed; the primary key
 * is the claim. `thread`: the bot scheduled that target in this channel, its thread was told.
 */
export type WatchedAfterExpiryTable = ClaimRow<{ channel_id: string; expiry_id: string; expires_at: number }>;

/** A change held for approval (PRODUCT §13); `held` and `votes` are JSON. */
export interface ApprovalsTable {
  id: string;
  /** pending | approved | applied | declined | withdrawn | expired | too-late */
  state: string;
  requester_id: string;
  channel_id: string;
  message_ts: string | null;
  /** JSON: who asked, the change exactly as asked, where its reminders go. */
  held: string;
  /** JSON: the user and group ids who may approve. */
  approvers: string;
  needed: number;
  /** JSON: who said yes, and when. */
  votes: string;
  decided_by: string | null;
  decline_reason: string | null;
  created_at: number;
  expires_at: number;
  reminded_at: number | null;
  updated_at: number;
  /** Bumped by every change of state: a conditional update on it is the claim. */
  version: number;
}

/** A LaunchDarkly approval request the bot created (PRODUCT §14); `held` is JSON. */
export interface LdApprovalsTable {
  /** LaunchDarkly's `_id`. */
  id: string;
  /** open | completed | declined | deleted | failed */
  state: string;
  /** `proj/<p>:env/<e>:flag/<f>` (or `:segment/<s>`): webhook and audit entries name it so. */
  resource: string;
  url: string;
  requester_id: string;
  /** JSON: who asked, the expiry to set once applied (its targets), where its reminders go. */
  held: string;
  channel_id: string;
  /** The message that told of it: outcomes go to its thread. */
  message_ts: string | null;
  created_at: number;
  next_check_at: number;
  /** When "still pending" was said (once, after APPROVAL_TIMEOUT). */
  pending_told_at: number | null;
  updated_at: number;
}

/** One row, upserted to prove the database takes writes (`write-probe.ts`). */
export interface WriteProbeTable {
  id: number;
  written_at: number;
}

/** A Slack user's linked LaunchDarkly member (PRODUCT §15); tokens sealed by `token-cipher.ts`. */
export interface LdLinksTable {
  user_id: string;
  team_id: string;
  member_id: string;
  member_email: string | null;
  member_name: string | null;
  access_token: string;
  refresh_token: string | null;
  /** When the access token expires (Unix ms); null when LaunchDarkly did not say. */
  expires_at: number | null;
  /** A replica refreshing the tokens holds them until then (its claim; see `link-store.ts`). */
  refreshing_until: number | null;
  linked_at: number;
  updated_at: number;
  /** Bumped by every change: a conditional update on it is the claim. */
  version: number;
}

/** An OAuth `state` handed out by `/expire link`: single-use, short-lived, stored hashed. */
export interface LdLinkStatesTable {
  state_hash: string;
  user_id: string;
  team_id: string;
  /** The PKCE code verifier, sealed. */
  verifier: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A job holding a person's change until they link (at most LINK_WAIT_MS). */
export interface LdLinkWaitsTable {
  job_id: string;
  user_id: string;
  since: number;
}

export interface Database {
  ld_links: LdLinksTable;
  ld_link_states: LdLinkStatesTable;
  ld_link_waits: LdLinkWaitsTable;
  approvals: ApprovalsTable;
  ld_approvals: LdApprovalsTable;
  watches: WatchesTable;
  watched_environments: WatchedEnvironmentsTable;
  mirrored_expiries: MirroredExpiriesTable;
  watch_reminders: WatchRemindersTable;
  expiries: ExpiriesTable;
  reminders: RemindersTable;
  after_expiry: AfterExpiryTable;
  watched_after_expiry: WatchedAfterExpiryTable;
  confirmations: ConfirmationsTable;
  jobs: JobsTable;
  write_probe: WriteProbeTable;
  kysely_migration?: { name: Generated<string> };
}
