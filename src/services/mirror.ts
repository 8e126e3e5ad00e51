import type { ResourceRef } from '../domain/vocabulary.js';
import type { EnvironmentRef, MirroredTarget } from '../domain/watch.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdNotFoundError } from '../launchdarkly/errors.js';
import type { Logger } from '../log.js';
import type { MirrorStore, ResourceDiff } from '../store/mirror-store.js';
import type { WatchStore } from '../store/watch-store.js';

export interface MirrorDeps {
  ld: LaunchDarklyClient;
  watches: WatchStore;
  mirror: MirrorStore;
  logger: Logger;
}

/**
 * Re-reads one flag or segment's expiring targets (both endpoints) and makes the mirror hold
 * exactly those. A flag or segment LaunchDarkly no longer has is forgotten.
 */
export async function refreshResource(
  resource: ResourceRef,
  ctx: { deps: MirrorDeps; gen: number; now: number; name?: string; setBy?: string },
): Promise<ResourceDiff> {
  const { deps } = ctx;
  let targets: MirroredTarget[];
  try {
    targets = (await deps.ld.getExpiringTargets(resource)).map((t) => ({
      target: { contextKind: t.contextKind, key: t.key },
      expiresAt: t.expirationDate,
      ...(t.variationId ? { variationId: t.variationId } : {}),
      ...(t.targetType ? { targetType: t.targetType } : {}),
    }));
  } catch (error) {
    if (!(error instanceof LdNotFoundError)) throw error;
    const before = (await deps.mirror.ofResource(resource)).length;
    await deps.mirror.forgetResource(resource);
    return { added: 0, moved: 0, removed: before };
  }
  return deps.mirror.replaceResource(resource, ctx.name, targets, ctx.gen, ctx.now, ctx.setBy);
}

/**
 * Re-reads the flags and segments an audit-log entry names that lie in a watched environment
 * (a webhook, or the sync). Returns how many were re-read.
 */
export async function refreshNamed(
  resources: readonly ResourceRef[],
  ctx: { deps: MirrorDeps; now: number; setBy?: string; only?: EnvironmentRef },
): Promise<number> {
  let read = 0;
  const states = new Map(
    (await ctx.deps.watches.environments()).map((e) => [`${e.projectKey}/${e.environmentKey}`, e]),
  );
  for (const resource of resources) {
    if (
      ctx.only &&
      (resource.projectKey !== ctx.only.projectKey || resource.environmentKey !== ctx.only.environmentKey)
    )
      continue;
    const state = states.get(`${resource.projectKey}/${resource.environmentKey}`);
    if (!state) continue;
    await refreshResource(resource, { deps: ctx.deps, gen: state.scan.gen, now: ctx.now, setBy: ctx.setBy });
    read++;
  }
  return read;
}
