import type { Migration } from 'kysely';
import { expiriesAndReminders } from './2026-11-22-001-expiries-and-reminders.js';
import { confirmationsAndOnceKeys } from './2026-11-22-002-confirmations-and-once-keys.js';
import { jobs } from './2026-12-01-001-jobs.js';
import { dropOnceKeys } from './2026-12-01-002-drop-once-keys.js';
import { watching } from './2026-12-01-014-watching.js';
import { afterExpiry } from './2026-12-01-101-after-expiry.js';
import { watchedAfterExpiry } from './2026-12-15-001-watched-after-expiry.js';
import { approvals } from './2026-12-16-001-approvals.js';
import { writeProbe } from './2026-12-17-001-write-probe.js';
import { launchdarklyApprovals } from './2026-12-18-001-launchdarkly-approvals.js';
import { ldLinks } from './2026-12-20-001-ld-links.js';

/**
 * Versioned schema changes, applied in name order, each once: one file each, named as it is
 * recorded in the database. Never edit one that has shipped; add a file and its line here.
 * Migrations see the database untyped (`Kysely<any>`, as Kysely advises): they run against
 * whatever schema came before them, not today's types.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-22-001-expiries-and-reminders': expiriesAndReminders,
  '2026-11-22-002-confirmations-and-once-keys': confirmationsAndOnceKeys,
  '2026-12-01-001-jobs': jobs,
  '2026-12-01-002-drop-once-keys': dropOnceKeys,
  '2026-12-01-014-watching': watching,
  '2026-12-01-101-after-expiry': afterExpiry,
  '2026-12-15-001-watched-after-expiry': watchedAfterExpiry,
  '2026-12-16-001-approvals': approvals,
  '2026-12-17-001-write-probe': writeProbe,
  '2026-12-18-001-launchdarkly-approvals': launchdarklyApprovals,
  '2026-12-20-001-ld-links': ldLinks,
};
