import type { ChangeRequest } from '../domain/change-request.js';
import { type Target, targetLabel } from '../domain/targets.js';
import { type TargetType, VERBS } from '../domain/vocabulary.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import type { SegmentRep } from '../launchdarkly/schemas.js';
import { failed, onScheduled, type Plan, scheduledOn, sendFor, where } from './plans.js';

/** What a change does to each target of a segment: its included or excluded list, added first with --grant. */

/** The keys (as target labels) on a segment's included or excluded list. */
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

export async function planSegment(request: ChangeRequest, ld: LaunchDarklyClient): Promise<Plan[]> {
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
  if (VERBS[request.verb].op !== 'add') {
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
  const grant = {
    projectKey: ref.projectKey,
    environmentKey: ref.environmentKey,
    segmentKey: ref.key,
    targetType: type,
    targets: toGrant.map((p) => p.result.target),
  };
  await sendFor(
    toGrant,
    'could not be added to the segment',
    ref,
    () => ld.grantSegmentTargets(grant, request.comment),
    () => ld.grantSegmentInstructions(grant),
  );
  for (const plan of toGrant) {
    if (!plan.result.ok) continue;
    const added = segmentAddPlan(request, plan.result.target, true);
    // Waiting for LaunchDarkly's approval: its expiry is set once the grant is applied.
    if (plan.awaiting) Object.assign(plan.result, { ...added.result, granted: undefined });
    else Object.assign(plan, added);
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
