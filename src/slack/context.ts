import type { WebClient } from '@slack/web-api';
import type { Deps } from '../deps.js';
import type { ActAs } from '../services/acting.js';
import type { Approvals } from '../services/approvals.js';
import type { LdApprovals } from '../services/ld-approvals.js';
import type { Linking } from '../services/linking.js';
import type { Changes } from '../services/request-change.js';
import type { Worker } from '../work/worker.js';
import type { Lookups } from './lookups.js';
import type { TimeZones } from './time-zones.js';

/** What listeners get: the app's dependencies, the configured defaults, the use cases, Slack-side caches. */
export interface ListenerDeps extends Deps {
  defaults: { project: string; environment: string };
  /** Every change, whatever surface asks for it, goes through here. */
  changes: Changes;
  /** Changes held for approval in Slack: votes, Decline, Withdraw, what an approved one is sent as. */
  approvals: Approvals;
  /** LaunchDarkly's own approval requests made by changes: followed, applied, their news said. */
  ldApprovals: LdApprovals;
  timeZones: TimeZones;
  /** Cached LaunchDarkly reads for the modal's pickers. */
  lookups: Lookups;
  /** The work behind acks: written down before the ack, done a few jobs at a time. */
  work: Worker;
  /** The app's Slack client, for work resumed away from the request that asked for it. */
  slack: WebClient;
  /** Watching: this replica's name in scan leases, and how often environments are scanned in full. */
  watch: { owner: string; fullScanIntervalMs: number };
  /** Post a progress message when a change takes longer than this. */
  progressAfterMs: number;
  /** Whose LaunchDarkly client each person's changes go through (LD_ACT_AS). */
  actAs: ActAs;
  /** Linking Slack users to LaunchDarkly members; undefined when the OAuth client is not configured. */
  linking: Linking | undefined;
}
