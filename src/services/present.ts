import type { Expiry } from '../domain/expiry.js';
import { targetLabel } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { members } from './plan-segment.js';
import { servedVariations } from './variations.js';

/** Whether an expiry's target is still there: individually targeted on the flag, or in the segment's list. */
export type Presence = (expiry: Pick<Expiry, 'target' | 'targetType'>) => boolean;

/** One read of a flag or segment in an environment: who is still individually there. */
export async function readPresence(ld: LaunchDarklyClient, ref: ResourceRef): Promise<Presence> {
  if (ref.kind === 'flag') {
    const served = servedVariations(
      await ld.getFlag(ref.projectKey, ref.key, ref.environmentKey),
      ref.environmentKey,
    );
    return (e) => served.has(targetLabel(e.target));
  }
  const segment = await ld.getSegment(ref.projectKey, ref.environmentKey, ref.key);
  const lists = { included: members(segment, 'included'), excluded: members(segment, 'excluded') };
  return (e) => lists[e.targetType ?? 'included'].has(targetLabel(e.target));
}

/** What LaunchDarkly holds for one flag or segment once expiries of it have passed. */
export interface AfterExpiryRead {
  /** Target label → the instant LaunchDarkly still has its expiry at. */
  scheduled: Map<string, number>;
  present: Presence;
}

/** One read of a flag or segment for the after-expiry passes: its expiring targets, and who is still there. */
export async function readAfterExpiry(ld: LaunchDarklyClient, ref: ResourceRef): Promise<AfterExpiryRead> {
  const [items, present] = await Promise.all([ld.getExpiringTargets(ref), readPresence(ld, ref)]);
  return { scheduled: new Map(items.map((t) => [targetLabel(t), t.expirationDate])), present };
}

/**
 * Passed expiries of one flag or segment, by what LaunchDarkly holds: `moved` to another instant
 * (follow, say nothing), `waiting` (still listed at the passed instant: not carried out yet, look
 * again later) and `told` (no longer listed: say what happened).
 */
export function sortPassed<E extends Pick<Expiry, 'target' | 'expiresAt'>>(
  expiries: readonly E[],
  scheduled: ReadonlyMap<string, number>,
): { moved: Array<{ expiry: E; to: number }>; waiting: E[]; told: E[] } {
  const sorted = { moved: [] as Array<{ expiry: E; to: number }>, waiting: [] as E[], told: [] as E[] };
  for (const expiry of expiries) {
    const at = scheduled.get(targetLabel(expiry.target));
    if (at === undefined) sorted.told.push(expiry);
    else if (at === expiry.expiresAt) sorted.waiting.push(expiry);
    else sorted.moved.push({ expiry, to: at });
  }
  return sorted;
}
