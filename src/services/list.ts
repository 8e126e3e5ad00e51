import type { Target } from '../domain/targets.js';
import type { ResourceRef, TargetType } from '../domain/vocabulary.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import { describeLdError } from './ld-errors.js';
import { variationLabel } from './variations.js';

export interface ScheduledExpiry {
  target: Target;
  expiresAt: number;
  /** Flags. */
  variation?: string;
  /** Segments. */
  targetType?: TargetType;
}

export type ListResult =
  | { ok: true; resource: ResourceRef; items: ScheduledExpiry[] }
  | { ok: false; resource: ResourceRef; error: string };

/** What LaunchDarkly has scheduled on a flag or segment: every target once, soonest first. */
export async function listScheduled(resource: ResourceRef, ld: LaunchDarklyClient): Promise<ListResult> {
  try {
    const [targets, flag] = await Promise.all([
      ld.getExpiringTargets(resource),
      resource.kind === 'flag'
        ? ld.getFlag(resource.projectKey, resource.key, resource.environmentKey)
        : undefined,
    ]);
    const items = targets.map((t) => {
      const variation = flag?.variations.find((v) => v._id === t.variationId);
      return {
        target: { contextKind: t.contextKind, key: t.key },
        expiresAt: t.expirationDate,
        ...(variation ? { variation: variationLabel(variation) } : {}),
        ...(t.targetType ? { targetType: t.targetType } : {}),
      };
    });
    return { ok: true, resource, items };
  } catch (error) {
    if (error instanceof LdError) return { ok: false, resource, error: describeLdError(error, resource) };
    throw error;
  }
}
