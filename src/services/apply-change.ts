import type { ChangeRequest } from '../domain/change-request.js';
import { groupBy } from '../domain/group-by.js';
import { targetLabel } from '../domain/targets.js';
import { VERBS } from '../domain/vocabulary.js';
import type { LaunchDarklyClient, PatchProgress } from '../launchdarkly/client.js';
import { askLdApproval } from './ld-approval-request.js';
import { describeLdError, isTransient } from './ld-errors.js';
import { planFlag } from './plan-flag.js';
import { planSegment } from './plan-segment.js';
import {
  type ChangeResult,
  type Plan,
  type PlannedTargets,
  scheduledOn,
  sendFor,
  UncertainChangeError,
  uncertain,
} from './plans.js';

export type { ChangeResult, LdApprovalAsked, PlannedTargets, TargetResult } from './plans.js';
export { UncertainChangeError, VariationError } from './plans.js';

export interface ApplyOptions {
  onProgress?: (progress: PatchProgress) => void;
  /** Called with the plan before LaunchDarkly is changed. */
  onPlan?: (planned: PlannedTargets) => Promise<void>;
  /** The plan of an earlier run of the same change that may have been cut short. */
  resumed?: PlannedTargets;
  /** The last try: what cannot be done now is reported rather than left for another try. */
  final?: boolean;
}

/**
 * Does in LaunchDarkly what a request asks, target by target: schedules, moves or cancels
 * expiries (granting targets first with --grant) and, for "remove now", takes targets out of
 * targeting. Grants LaunchDarkly takes only through an approval request become one (the targets
 * wait for it). Returns what happened to each target. Throws an LdError when the request as a whole
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
  const ldApproval = await askLdApproval(request, plans, ld);
  return { request, results: plans.map((p) => p.result), ...(ldApproval ? { ldApproval } : {}) };
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
