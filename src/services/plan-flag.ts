import type { ChangeRequest } from '../domain/change-request.js';
import { type Target, targetLabel } from '../domain/targets.js';
import { VERBS } from '../domain/vocabulary.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import type { FlagRep } from '../launchdarkly/schemas.js';
import { failed, onScheduled, type Plan, scheduledOn, sendFor, VariationError, where } from './plans.js';
import { resolveVariation, servedVariations, variationLabel } from './variations.js';

/** What a change does to each target of a flag: the variation that serves it, granted first with --grant. */
export async function planFlag(request: ChangeRequest, ld: LaunchDarklyClient): Promise<Plan[]> {
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
  if (VERBS[request.verb].op !== 'add') {
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
  const grant = {
    projectKey: ref.projectKey,
    flagKey: ref.key,
    environmentKey: ref.environmentKey,
    variationId: flag.variations[index]!._id,
    targets: toGrant.map((p) => p.result.target),
  };
  await sendFor(
    toGrant,
    'could not be added to targeting',
    ref,
    () => ld.grantFlagTargets(grant, request.comment),
    () => ld.grantFlagInstructions(grant),
  );
  for (const plan of toGrant) {
    if (!plan.result.ok) continue;
    const added = addPlan(request, plan.result.target, flag, index, true);
    // Waiting for LaunchDarkly's approval: its expiry is set once the grant is applied.
    if (plan.awaiting) Object.assign(plan.result, { ...added.result, granted: undefined });
    else Object.assign(plan, added);
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
