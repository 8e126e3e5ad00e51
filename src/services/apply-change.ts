import type { ChangeRequest } from '../domain/change-request.js';
import { groupBy } from '../domain/group-by.js';
import { shiftInstant } from '../domain/shift.js';
import { type Target, targetLabel } from '../domain/targets.js';
import { type ResourceRef, type TargetType, VERBS } from '../domain/vocabulary.js';
import type { LaunchDarklyClient, PatchProgress } from '../launchdarkly/client.js';
import { LdError, LdNetworkError, LdServerError } from '../launchdarkly/errors.js';
import type { ExpiryChange } from '../launchdarkly/instructions.js';
import type { ExpiringTarget } from '../launchdarkly/outcomes.js';
import type { FlagRep, SegmentRep } from '../launchdarkly/schemas.js';
import { describeLdError, isTransient } from './ld-errors.js';
import { resolveVariation, servedVariations, variationLabel } from './variations.js';

export interface TargetResult {
  target: Target;
  ok: boolean;
  /** Why it failed, LaunchDarkly's message or ours, written to follow the target's key. */
  message?: string;
  /** The target's expiry after the change (add, update, extend). */
  expiresAt?: number;
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
  /** One per target, in the order asked. */
  results: TargetResult[];
}

/**
 * What each target is to become, by label: its new expiry, or null when it is to lose it. Written
 * down before anything is sent, so that work resumed after a crash finishes the same change (an
 * extend moves from where it started, not again) and counts what already happened as done.
 */
export type PlannedTargets = Record<string, number | null>;

export interface ApplyOptions {
  onProgress?: (progress: PatchProgress) => void;
  /** Called with the plan before LaunchDarkly is changed. */
  onPlan?: (planned: PlannedTargets) => Promise<void>;
  /** The plan of an earlier run of the same change that may have been cut short. */
  resumed?: PlannedTargets;
  /** The last try: what cannot be done now is reported rather than left for another try. */
  final?: boolean;
}

/** A request to LaunchDarkly that may have changed something went unanswered: read before telling. */
export class UncertainChangeError extends Error {
  constructor(readonly ldError: LdError) {
    super(ldError.message);
  }
}

interface Plan {
  result: TargetResult;
  change?: ExpiryChange;
  /** revoke: how the target is held, to take it out of targeting. */
  held?: { variationId: string } | { targetType: TargetType };
}

/**
 * Does in LaunchDarkly what a request asks, target by target: schedules, moves or cancels
 * expiries (granting targets first with --grant) and, for "remove now", takes targets out of
 * targeting. Returns what happened to each target. Throws an LdError when the request as a whole
 * failed (bad token, unknown flag…) and a VariationError when `--variation` names none.
 */
export async function applyChange(
  request: ChangeRequest,
  ld: LaunchDarklyClient,
  options: ApplyOptions = {},
): Promise<ChangeResult> {
  const plans =
    request.resource.kind === 'flag' ? await planFlag(request, ld) : await planSegment(request, ld);
  if (options.resumed) await settleResumed(request, plans, options.resumed, ld);
  await options.onPlan?.(planOf(request, plans));
  const changes = plans.filter((p) => p.change);
  if (changes.length > 0) {
    const { outcomes } = await uncertain(() =>
      ld.patchExpiringTargets(
        request.resource,
        changes.map((p) => p.change!),
        request.comment,
        options.onProgress,
      ),
    );
    for (const outcome of outcomes) {
      if (!outcome.ok && outcome.error && isTransient(outcome.error))
        throw new UncertainChangeError(outcome.error);
    }
    outcomes.forEach((outcome, i) => {
      const { result } = changes[i]!;
      // Remove now takes the target out of targeting whether or not its expiry could be cancelled.
      if (outcome.ok || VERBS[request.verb].revokes) return;
      result.ok = false;
      result.message = outcome.error ? describeLdError(outcome.error, request.resource) : outcome.message;
    });
  }
  if (VERBS[request.verb].revokes) await revoke(request, plans, ld);
  return { request, results: plans.map((p) => p.result) };
}

/**
 * Sends. A request that went unanswered (the connection dropped, a timeout, a 5xx) may have been
 * applied: its outcome is uncertain, not "nothing". A 429 or a 409 was refused, and is retried as is.
 */
async function uncertain<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof LdNetworkError || error instanceof LdServerError)
      throw new UncertainChangeError(error);
    throw error;
  }
}

function planOf(request: ChangeRequest, plans: Plan[]): PlannedTargets {
  const removes = VERBS[request.verb].op === 'remove';
  const planned: PlannedTargets = {};
  for (const { result } of plans) {
    if (result.ok) planned[targetLabel(result.target)] = removes ? null : (result.expiresAt ?? null);
  }
  return planned;
}

/**
 * A change resumed after a crash: what LaunchDarkly already holds as planned is done (never a
 * failure), an extend keeps the instants it chose the first time, and only the rest is sent.
 */
async function settleResumed(
  request: ChangeRequest,
  plans: Plan[],
  planned: PlannedTargets,
  ld: LaunchDarklyClient,
): Promise<void> {
  const existing = await scheduledOn(request, ld);
  for (const plan of plans) {
    const label = targetLabel(plan.result.target);
    if (!(label in planned)) continue;
    const at = planned[label];
    const now = existing.get(label);
    if (at === null) {
      // Its expiry is gone already; for remove now, so is its targeting when the planner failed it.
      if (!now) delete plan.change;
      if (!now || !plan.result.ok) Object.assign(plan.result, { ok: true, message: undefined });
    } else if (at !== undefined && now?.expirationDate === at) {
      delete plan.change;
      Object.assign(plan.result, { ok: true, message: undefined, expiresAt: at });
    } else if (at !== undefined && plan.change?.op === 'update') {
      plan.change.value = at;
      plan.result.expiresAt = at;
    }
  }
}

function where(ref: ResourceRef): string {
  return `${ref.key} in ${ref.environmentKey}`;
}

function failed(target: Target, message: string): Plan {
  return { result: { target, ok: false, message } };
}

/** Existing expiries by target label. */
async function scheduledOn(request: ChangeRequest, ld: LaunchDarklyClient) {
  const items = await ld.getExpiringTargets(request.resource);
  return new Map(items.map((t) => [targetLabel(t), t]));
}

/** update, extend and remove act on the expiry LaunchDarkly has; the new instant, if any, follows. */
function onScheduled(request: ChangeRequest, target: Target, existing: ExpiringTarget | undefined): Plan {
  const { op } = VERBS[request.verb];
  if (!existing) {
    const hint = request.verb === 'update' ? ' — use add to schedule one' : '';
    return failed(target, `no expiry scheduled on ${where(request.resource)}${hint}.`);
  }
  const expiresAt =
    request.verb === 'extend' && request.extendBy
      ? shiftInstant(existing.expirationDate, request.extendBy.shift, request.extendBy.timeZone)
      : request.expiresAt;
  return {
    result: {
      target,
      ok: true,
      targetType: existing.targetType,
      variationId: existing.variationId,
      ...(op === 'update' ? { expiresAt } : {}),
    },
    change: {
      op,
      contextKind: target.contextKind,
      key: target.key,
      variationId: existing.variationId,
      targetType: existing.targetType,
      ...(op === 'update' ? { value: expiresAt, version: existing.version } : {}),
    },
  };
}

async function planFlag(request: ChangeRequest, ld: LaunchDarklyClient): Promise<Plan[]> {
  const { resource: ref } = request;
  const flag = await ld.getFlag(ref.projectKey, ref.key, ref.environmentKey);
  const served = servedVariations(flag, ref.environmentKey);
  const label = (index: number | undefined) =>
    index === undefined ? undefined : variationLabel(flag.variations[index]!);
  const indexOf = (variationId: string | undefined) => {
    const index = flag.variations.findIndex((v) => v._id === variationId);
    return index >= 0 ? index : undefined;
  };

  if (VERBS[request.verb].revokes) {
    const existing = await scheduledOn(request, ld);
    return request.targets.map((target) => {
      const index = served.get(targetLabel(target));
      if (index === undefined) return failed(target, `not individually targeted on ${where(ref)}.`);
      const variationId = flag.variations[index]!._id;
      const plan = onScheduled(request, target, existing.get(targetLabel(target)));
      return {
        result: { target, ok: true, variation: label(index), variationId },
        change: plan.change,
        held: { variationId },
      };
    });
  }
  if (request.verb !== 'add') {
    const existing = await scheduledOn(request, ld);
    return request.targets.map((target) => {
      const plan = onScheduled(request, target, existing.get(targetLabel(target)));
      plan.result.variation = label(indexOf(plan.change?.variationId));
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
    if (index !== undefined && chosen !== undefined && chosen !== index) {
      plans.push(failed(target, `served ${label(index)} on ${where(ref)}, not ${label(chosen)}.`));
    } else if (index !== undefined) {
      plans.push(addPlan(request, target, flag, index));
    } else if (!request.grant) {
      plans.push(failed(target, `not individually targeted on ${where(ref)} — add --grant --variation <v>.`));
    } else {
      const plan: Plan = { result: { target, ok: true } };
      plans.push(plan);
      toGrant.push(plan);
    }
  }
  if (toGrant.length === 0) return plans;

  const index = chosen ?? onlyServedVariation(served);
  if (index === undefined) {
    const message = `not targeted yet, and ${ref.key} serves several variations — add --variation <name>.`;
    for (const plan of toGrant) Object.assign(plan.result, { ok: false, message });
    return plans;
  }
  await sendFor(toGrant, 'could not be added to targeting', ref, () =>
    ld.grantFlagTargets(
      {
        projectKey: ref.projectKey,
        flagKey: ref.key,
        environmentKey: ref.environmentKey,
        variationId: flag.variations[index]!._id,
        targets: toGrant.map((p) => p.result.target),
      },
      request.comment,
    ),
  );
  for (const plan of toGrant) {
    if (plan.result.ok) Object.assign(plan, addPlan(request, plan.result.target, flag, index, true));
  }
  return plans;
}

function addPlan(request: ChangeRequest, target: Target, flag: FlagRep, index: number, granted?: true): Plan {
  const variationId = flag.variations[index]!._id;
  return {
    result: {
      target,
      ok: true,
      expiresAt: request.expiresAt,
      variation: variationLabel(flag.variations[index]!),
      variationId,
      ...(granted ? { granted } : {}),
    },
    change: {
      op: 'add',
      contextKind: target.contextKind,
      key: target.key,
      variationId,
      value: request.expiresAt,
    },
  };
}

/** When every individual target is on one variation, that is the one a new target most likely wants. */
function onlyServedVariation(served: Map<string, number>): number | undefined {
  const indexes = new Set(served.values());
  return indexes.size === 1 ? [...indexes][0] : undefined;
}

/** Runs a grant; when LaunchDarkly refuses it, the targets it was for fail with its reason. */
async function sendFor(plans: Plan[], what: string, ref: ResourceRef, send: () => Promise<unknown>) {
  try {
    await uncertain(send);
  } catch (error) {
    // An outage or a rate limit is the whole change's to retry, not this group's failure.
    if (!(error instanceof LdError) || isTransient(error)) throw error;
    const message = `${what}: ${describeLdError(error, ref)}`;
    for (const plan of plans) Object.assign(plan.result, { ok: false, message });
  }
}

export function members(segment: SegmentRep, type: TargetType): Set<string> {
  const users = (type === 'included' ? segment.included : segment.excluded) ?? [];
  const contexts = (type === 'included' ? segment.includedContexts : segment.excludedContexts) ?? [];
  return new Set([
    ...users,
    ...contexts.flatMap((c) =>
      (c.values ?? []).map((v) => targetLabel({ contextKind: c.contextKind ?? 'user', key: v })),
    ),
  ]);
}

async function planSegment(request: ChangeRequest, ld: LaunchDarklyClient): Promise<Plan[]> {
  const { resource: ref } = request;
  const segment = await ld.getSegment(ref.projectKey, ref.environmentKey, ref.key);
  const lists = { included: members(segment, 'included'), excluded: members(segment, 'excluded') };

  if (VERBS[request.verb].revokes) {
    const existing = await scheduledOn(request, ld);
    return request.targets.map((target) => {
      const label = targetLabel(target);
      const targetType = lists.included.has(label)
        ? 'included'
        : lists.excluded.has(label)
          ? 'excluded'
          : undefined;
      if (!targetType) return failed(target, `not in segment ${where(ref)}.`);
      const plan = onScheduled(request, target, existing.get(label));
      return { result: { target, ok: true, targetType }, change: plan.change, held: { targetType } };
    });
  }
  if (request.verb !== 'add') {
    const existing = await scheduledOn(request, ld);
    return request.targets.map((target) => onScheduled(request, target, existing.get(targetLabel(target))));
  }

  const type = request.targetType;
  const other: TargetType = type === 'included' ? 'excluded' : 'included';
  const plans: Plan[] = [];
  const toGrant: Plan[] = [];
  for (const target of request.targets) {
    const label = targetLabel(target);
    if (lists[type].has(label)) {
      plans.push(segmentAddPlan(request, target));
    } else if (lists[other].has(label)) {
      const hint = other === 'excluded' ? ' — add --excluded' : ' — drop --excluded';
      plans.push(failed(target, `${other}, not ${type}, in segment ${where(ref)}${hint}.`));
    } else if (!request.grant) {
      plans.push(failed(target, `not ${type} in segment ${where(ref)} — add --grant.`));
    } else {
      const plan: Plan = { result: { target, ok: true, targetType: type } };
      plans.push(plan);
      toGrant.push(plan);
    }
  }
  if (toGrant.length === 0) return plans;
  await sendFor(toGrant, 'could not be added to the segment', ref, () =>
    ld.grantSegmentTargets(
      {
        projectKey: ref.projectKey,
        environmentKey: ref.environmentKey,
        segmentKey: ref.key,
        targetType: type,
        targets: toGrant.map((p) => p.result.target),
      },
      request.comment,
    ),
  );
  for (const plan of toGrant) {
    if (plan.result.ok) Object.assign(plan, segmentAddPlan(request, plan.result.target, true));
  }
  return plans;
}

function segmentAddPlan(request: ChangeRequest, target: Target, granted?: true): Plan {
  const targetType = request.targetType;
  return {
    result: { target, ok: true, targetType, expiresAt: request.expiresAt, ...(granted ? { granted } : {}) },
    change: {
      op: 'add',
      contextKind: target.contextKind,
      key: target.key,
      targetType,
      value: request.expiresAt,
    },
  };
}

/** Remove now: takes each target out of the variation or list that holds it, one request per holder. */
async function revoke(request: ChangeRequest, plans: Plan[], ld: LaunchDarklyClient): Promise<void> {
  const ref = request.resource;
  const holding = plans.filter((p) => p.result.ok && p.held);
  const byHolder = groupBy(holding, (p) => JSON.stringify(p.held));
  for (const group of byHolder.values()) {
    const held = group[0]!.held!;
    const targets = group.map((p) => p.result.target);
    await sendFor(group, 'could not be removed', ref, () =>
      'variationId' in held
        ? ld.removeFlagTargets(
            {
              projectKey: ref.projectKey,
              flagKey: ref.key,
              environmentKey: ref.environmentKey,
              variationId: held.variationId,
              targets,
            },
            request.comment,
          )
        : ld.removeSegmentTargets(
            {
              projectKey: ref.projectKey,
              environmentKey: ref.environmentKey,
              segmentKey: ref.key,
              targetType: held.targetType,
              targets,
            },
            request.comment,
          ),
    );
  }
}

/** `--variation` names no variation of the flag. */
export class VariationError extends Error {}
