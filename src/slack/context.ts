import type { Deps } from '../deps.js';
import type { Lookups } from './lookups.js';
import type { TimeZones } from './time-zones.js';

/** What listeners get: the app's dependencies, the configured defaults, and Slack-side caches. */
export interface ListenerDeps extends Deps {
  defaults: { project: string; environment: string };
  timeZones: TimeZones;
  /** Cached LaunchDarkly reads for the modal's pickers. */
  lookups: Lookups;
  /** Post a progress message when a change takes longer than this. */
  progressAfterMs: number;
}
