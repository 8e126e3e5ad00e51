import { type Target, targetLabel } from '../domain/targets.js';
import type { LaunchDarklyClient, PatchProgress } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import type { ExpiryChange, ResourceRef, TargetType } from '../launchdarkly/instructions.js';
import type { ExpiringTarget } from '../launchdarkly/outcomes.js';
import type { FlagRep } from '../launchdarkly/schemas.js';
import { describeLdError } from './ld-errors.js';
import { resolveVariation, servedVariations, variationLabel } from './variations.js';

export type ChangeVerb = 'add' | 'update' | 'remove';

export interface ChangeRequest {
  verb: ChangeVerb;
  resource: ResourceRef;
  targets: Target[];
  /** Unix ms; add and update. */
  expiresAt?: number;
  /** Flags: a variation name, value or index, when it can't be worked out. */
  variation?: string;
  /** Segments. */
  targetType: TargetType;
  /** Add the targets to individual targeting / the segment first when missing. */
  grant: boolean;
  /** Names the Slack user and the command, for LaunchDarkly's audit log. */
  comment: string;
}

export interface TargetResult {
  target: Target;
  ok: boolean;
  /** Why it failed, LaunchDarkly's message or ours, written to follow the target's key. */
  message?: string;
  /** Flags: the variation the target is served (name or value), and its `_id`. */
  variation?: string;
  variationId?: string;
  /** Segments. */
  targetType?: TargetType;
  /** True when --grant added it to targeting first. */
  granted?: boolean;
}

export interface ChangeResult {
  request: ChangeRequest;
  /** One per target, in the order asked. Empty when `error` is set. */
  results: TargetResult[];
  /** The whole request failed before anything was applied: a sentence for a person. */
  error?: string;
}

interface Plan {
  result: TargetResult;
  change?: ExpiryChange;
}

/**
 * Schedules, moves or cancels the expiry of each target on a flag or segment. Returns what
 * happened to each target; a LaunchDarkly failure of the whole request becomes `error`.
 */
export async function applyChange(
  request: ChangeRequest,
  ld: LaunchDarklyClient,
  onProgress?: (progress: PatchProgress) => void,
): Promise<ChangeResult> {
  try {
    const plans =
      request.resource.kind === 'flag' ? await planFlag(request, ld) : await planSegment(request, ld);
    const changes = plans.filter((p) => p.change);
    for (const plan of changes) plan.result.variationId = plan.change!.variationId;
    if (changes.length > 0) {
      const { outcomes } = await ld.patchExpiringTargets(
        request.resource,
        changes.map((p) => p.change!),
        request.comment,
        onProgress,
      );
      outcomes.forEach((outcome, i) => {
        if (!outcome.ok) {
          const plan = changes[i]!;
          plan.result.ok = false;
          plan.result.message = outcome.error
            ? describeLdError(outcome.error, request.resource)
            : outcome.message;
        }
      });
    }
    return { request, results: plans.map((p) => p.result) };
  } catch (error) {
    if (error instanceof LdError)
      return { request, results: [], error: describeLdError(error, request.resource) };
    if (error instanceof VariationError) return { request, results: [], error: error.message };
    throw error;
  }
}

function where(ref: ResourceRef): string {
  return `${ref.key} in ${ref.environmentKey}`;
}

/** Existing expiries by target, for update and remove. */
async function scheduled(
  request: ChangeRequest,
  ld: LaunchDarklyClient,
): Promise<Map<string, ExpiringTarget>> {
  if (request.verb === 'add') return new Map();
  const items = await ld.getExpiringTargets(request.resource);
  return new Map(items.map((t) => [targetLabel(t), t]));
}

function fromScheduled(request: ChangeRequest, target: Target, existing: ExpiringTarget | undefined): Plan {
  const result: TargetResult = { target, ok: true };
  if (!existing) {
    const hint = request.verb === 'update' ? ' — use add to schedule one' : '';
    return {
      result: { ...result, ok: false, message: `no expiry scheduled on ${where(request.resource)}${hint}.` },
    };
  }
  return {
    result: { ...result, targetType: existing.targetType },
    change: {
      op: request.verb === 'update' ? 'update' : 'remove',
      contextKind: target.contextKind,
      key: target.key,
      variationId: existing.variationId,
      targetType: existing.targetType,
      value: request.verb === 'update' ? request.expiresAt : undefined,
      version: request.verb === 'update' ? existing.version : undefined,
    },
  };
}

async function planFlag(request: ChangeRequest, ld: LaunchDarklyClient): Promise<Plan[]> {
  const { resource: ref } = request;
  const flag = await ld.getFlag(ref.projectKey, ref.key, ref.environmentKey);
  const served = servedVariations(flag, ref.environmentKey);
  const nameOf = (variationId: string | undefined) => {
    const index = flag.variations.findIndex((v) => v._id === variationId);
    return index >= 0 ? variationLabel(flag.variations[index]!) : undefined;
  };

  if (request.verb !== 'add') {
    const existing = await scheduled(request, ld);
    return request.targets.map((target) => {
      const plan = fromScheduled(request, target, existing.get(targetLabel(target)));
      plan.result.variation = nameOf(plan.change?.variationId);
      return plan;
    });
  }

  const explicit = request.variation === undefined ? undefined : resolveVariation(flag, request.variation);
  if (explicit && !explicit.ok) throw new VariationError(explicit.problem);
  const chosen = explicit?.index;
  const plans: Plan[] = [];
  const toGrant: Plan[] = [];
  for (const target of request.targets) {
    const index = served.get(targetLabel(target));
    const result: TargetResult = { target, ok: true };
    if (index !== undefined) {
      if (chosen !== undefined && chosen !== index) {
        plans.push({
          result: {
            ...result,
            ok: false,
            message: `served ${variationLabel(flag.variations[index]!)} on ${where(ref)}, not ${variationLabel(flag.variations[chosen]!)}.`,
          },
        });
        continue;
      }
      plans.push({
        result: { ...result, variation: variationLabel(flag.variations[index]!) },
        change: addChange(request, target, flag, index),
      });
      continue;
    }
    if (!request.grant) {
      plans.push({
        result: {
          ...result,
          ok: false,
          message: `not individually targeted on ${where(ref)} — add --grant --variation <v>.`,
        },
      });
      continue;
    }
    const plan: Plan = { result };
    plans.push(plan);
    toGrant.push(plan);
  }

  if (toGrant.length > 0) {
    const index = chosen ?? onlyServedVariation(served);
    if (index === undefined) {
      for (const plan of toGrant) {
        Object.assign(plan.result, {
          ok: false,
          message: `not targeted yet, and ${ref.key} serves several variations — add --variation <name>.`,
        });
      }
    } else {
      try {
        await ld.grantFlagTargets(
          {
            projectKey: ref.projectKey,
            flagKey: ref.key,
            environmentKey: ref.environmentKey,
            variationId: flag.variations[index]!._id,
            targets: toGrant.map((p) => p.result.target),
          },
          request.comment,
        );
        for (const plan of toGrant) {
          Object.assign(plan.result, { granted: true, variation: variationLabel(flag.variations[index]!) });
          plan.change = addChange(request, plan.result.target, flag, index);
        }
      } catch (error) {
        if (!(error instanceof LdError)) throw error;
        const message = `could not be added to targeting: ${describeLdError(error, ref)}`;
        for (const plan of toGrant) Object.assign(plan.result, { ok: false, message });
      }
    }
  }
  return plans;
}

function addChange(request: ChangeRequest, target: Target, flag: FlagRep, index: number): ExpiryChange {
  return {
    op: 'add',
    contextKind: target.contextKind,
    key: target.key,
    variationId: flag.variations[index]!._id,
    value: request.expiresAt,
  };
}

/** When every individual target is on one variation, that is the one a new target most likely wants. */
function onlyServedVariation(served: Map<string, number>): number | undefined {
  const indexes = new Set(served.values());
  return indexes.size === 1 ? [...indexes][0] : undefined;
}

async function planSegment(request: ChangeRequest, ld: LaunchDarklyClient): Promise<Plan[]> {
  const { resource: ref } = request;
  const segment = await ld.getSegment(ref.projectKey, ref.environmentKey, ref.key);
  if (request.verb !== 'add') {
    const existing = await scheduled(request, ld);
    return request.targets.map((target) => fromScheduled(request, target, existing.get(targetLabel(target))));
  }
  const members = (type: TargetType) => {
    const users = (type === 'included' ? segment.included : segment.excluded) ?? [];
    const contexts = (type === 'included' ? segment.includedContexts : segment.excludedContexts) ?? [];
    return new Set([
      ...users,
      ...contexts.flatMap((c) =>
        (c.values ?? []).map((v) => targetLabel({ contextKind: c.contextKind ?? 'user', key: v })),
      ),
    ]);
  };
  const type = request.targetType;
  const other: TargetType = type === 'included' ? 'excluded' : 'included';
  const [inType, inOther] = [members(type), members(other)];
  const plans: Plan[] = [];
  const toGrant: Plan[] = [];
  for (const target of request.targets) {
    const label = targetLabel(target);
    const result: TargetResult = { target, ok: true, targetType: type };
    if (inType.has(label)) {
      plans.push({
        result,
        change: {
          op: 'add',
          contextKind: target.contextKind,
          key: target.key,
          targetType: type,
          value: request.expiresAt,
        },
      });
    } else if (inOther.has(label)) {
      const flagHint = other === 'excluded' ? ' — add --excluded' : ' — drop --excluded';
      plans.push({
        result: {
          ...result,
          ok: false,
          message: `${other}, not ${type}, in segment ${where(ref)}${flagHint}.`,
        },
      });
    } else if (!request.grant) {
      plans.push({
        result: { ...result, ok: false, message: `not ${type} in segment ${where(ref)} — add --grant.` },
      });
    } else {
      const plan: Plan = { result };
      plans.push(plan);
      toGrant.push(plan);
    }
  }
  if (toGrant.length > 0) {
    try {
      await ld.grantSegmentTargets(
        {
          projectKey: ref.projectKey,
          environmentKey: ref.environmentKey,
          segmentKey: ref.key,
          targetType: type,
          targets: toGrant.map((p) => p.result.target),
        },
        request.comment,
      );
      for (const plan of toGrant) {
        plan.result.granted = true;
        const t = plan.result.target;
        plan.change = {
          op: 'add',
          contextKind: t.contextKind,
          key: t.key,
          targetType: type,
          value: request.expiresAt,
        };
      }
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      const message = `could not be added to the segment: ${describeLdError(error, ref)}`;
      for (const plan of toGrant) Object.assign(plan.result, { ok: false, message });
    }
  }
  return plans;
}

/** `--variation` names no variation of the flag. */
export class VariationError extends Error {}
