import type { Expiry } from '../domain/expiry.js';
import { targetLabel } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { members } from './apply-change.js';
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
