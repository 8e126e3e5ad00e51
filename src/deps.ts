import type { LaunchDarklyClient } from './launchdarkly/client.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { ApprovalStore } from './store/approval-store.js';
import type { ExpiryStore } from './store/expiry-store.js';
import type { LdApprovalStore } from './store/ld-approval-store.js';
import type { LinkStore } from './store/link-store.js';
import type { MirrorStore } from './store/mirror-store.js';
import type { SafetyStore } from './store/safety-store.js';
import type { WatchStore } from './store/watch-store.js';
import type { Worker } from './work/worker.js';

/** What listeners and services need from the outside world, passed in so tests can build the app with fakes. */
export interface Deps {
  ld: LaunchDarklyClient;
  /** Expiries scheduled through the bot, for reminders and `/expire list`. */
  store: ExpiryStore;
  /** Confirmations and once-only keys. */
  safetyStore: SafetyStore;
  /** Changes held for approval in Slack. */
  approvalStore: ApprovalStore;
  /** LaunchDarkly approval requests the bot created, followed until decided. */
  ldApprovalStore: LdApprovalStore;
  /** Slack users' linked LaunchDarkly members (`linkStoreOf`); absent when linking is not configured. */
  links?: LinkStore;
  /** Watches and each watched environment's scan and sync state. */
  watches: WatchStore;
  /** LaunchDarkly's expiring targets in watched environments. */
  mirror: MirrorStore;
  logger: Logger;
  /** This app's Prometheus metrics, in a registry of its own. */
  metrics: Metrics;
  /** A cheap write the database must take (one row, `Db.probeWrite`); `/readyz` calls it. */
  probeDatabase: () => Promise<void>;
  /** The clock; nothing below reads Date.now() itself. */
  now: () => Date;
  /** The work behind acks, kept in the store; the app registers what each kind of job does. */
  work: Worker;
}
