import { type Asker, auditComment } from '../domain/comment.js';
import { formatUtc } from '../domain/when-format.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import type { ResourceRef } from '../launchdarkly/instructions.js';
import type { ExpiryStore, StoredExpiry } from '../store/expiry-store.js';
import { applyChange, type ChangeVerb } from './change.js';
import { describeLdError } from './ld-errors.js';

export type ActionOutcome = { ok: true } | { ok: false; message: string };

interface Context {
  ld: LaunchDarklyClient;
  store: ExpiryStore;
  asker: Asker;
  now: number;
}

export function resourceOf(e: StoredExpiry): ResourceRef {
  return {
    kind: e.resource_kind,
    projectKey: e.project_key,
    key: e.resource_key,
    environmentKey: e.environment_key,
  };
}

async function change(e: StoredExpiry, verb: ChangeVerb, ctx: Context, what: string, expiresAt?: number) {
  const target = { contextKind: e.context_kind, key: e.target_key };
  const result = await applyChange(
    {
      verb,
      resource: resourceOf(e),
      targets: [target],
      expiresAt,
      targetType: e.target_type ?? 'included',
      grant: false,
      comment: auditComment(
        ctx.asker,
        `reminder button: ${what} ${e.context_kind}:${e.target_key} on ${e.resource_kind} ${e.resource_key}`,
      ),
    },
    ctx.ld,
  );
  const first = result.results[0];
  return result.error ?? (first && !first.ok ? (first.message ?? 'failed') : undefined);
}

/** Extend: moves the expiry in LaunchDarkly, then in the store (reminders follow the new time). */
export async function extendExpiry(e: StoredExpiry, expiresAt: number, ctx: Context): Promise<ActionOutcome> {
  const failure = await change(e, 'update', ctx, `extend to ${formatUtc(expiresAt)}`, expiresAt);
  if (failure) return { ok: false, message: failure };
  await ctx.store.setExpiresAt(e.id, expiresAt, ctx.now);
  return { ok: true };
}

/** Cancel expiry: the target keeps its access; the bot forgets the expiry. */
export async function cancelExpiry(e: StoredExpiry, ctx: Context): Promise<ActionOutcome> {
  const failure = await change(e, 'remove', ctx, 'cancel expiry of');
  if (failure) return { ok: false, message: failure };
  await ctx.store.delete(e.id);
  return { ok: true };
}

/** Remove now: cancels the scheduled removal and takes the target out of targeting at once. */
export async function removeNow(e: StoredExpiry, ctx: Context): Promise<ActionOutcome> {
  await change(e, 'remove', ctx, 'remove now');
  const comment = auditComment(ctx.asker, `reminder button: remove now ${e.context_kind}:${e.target_key}`);
  const targets = [{ contextKind: e.context_kind, key: e.target_key }];
  try {
    if (e.resource_kind === 'flag') {
      if (!e.variation_id)
        return {
          ok: false,
          message: 'I do not know which variation it is served; remove it in LaunchDarkly.',
        };
      await ctx.ld.removeFlagTargets(
        {
          projectKey: e.project_key,
          flagKey: e.resource_key,
          environmentKey: e.environment_key,
          variationId: e.variation_id,
          targets,
        },
        comment,
      );
    } else {
      await ctx.ld.removeSegmentTargets(
        {
          projectKey: e.project_key,
          environmentKey: e.environment_key,
          segmentKey: e.resource_key,
          targetType: e.target_type ?? 'included',
          targets,
        },
        comment,
      );
    }
  } catch (error) {
    if (error instanceof LdError) return { ok: false, message: describeLdError(error, resourceOf(e)) };
    throw error;
  }
  await ctx.store.delete(e.id);
  return { ok: true };
}
