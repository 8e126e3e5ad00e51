import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import type { Lookups } from './lookups.js';
import type { TimeZones } from './time-zones.js';
import type { UserGroups } from './user-groups.js';
import type { WorkQueue } from './work-queue.js';

/** What listeners get: the app's dependencies, the configured defaults, and Slack-side caches. */
export interface ListenerDeps extends Deps {
  defaults: { project: string; environment: string };
  timeZones: TimeZones;
  /** Cached LaunchDarkly reads for the modal's pickers. */
  lookups: Lookups;
  safety: Config['safety'];
  userGroups: UserGroups;
  /** The work behind acks, a few jobs at a time. */
  work: WorkQueue;
  /** Post a progress message when a change takes longer than this. */
  progressAfterMs: number;
}
