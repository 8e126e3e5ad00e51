import type { WebClient } from '@slack/web-api';
import type { ChangeRequest, Requester } from '../domain/change-request.js';
import { auditComment } from '../domain/comment.js';
import { parseTargets, RESOURCE_KEY, targetLabel } from '../domain/targets.js';
import { readTiming } from '../domain/timing.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import { LdNotFoundError } from '../launchdarkly/errors.js';
import { LD_MESSAGES } from '../services/ld-errors.js';
import { SAFETY_MESSAGES } from './blocks/safety.js';
import type { ListenerDeps } from './context.js';
import { MODAL } from './ids.js';
import { within } from './lookups.js';
import type { ModalState } from './parse/modal.js';

export const MODAL_ERRORS = {
  stale: 'This form is out of date. Close it and run /expire again.',
  chooseResource: (kind: string) => `Choose a ${kind}.`,
  project: 'Not a LaunchDarkly project key (letters, digits, ".", "-", "_").',
};

/** How long the submission may wait on LaunchDarkly: Slack wants an answer within 3 s. */
const LOOKUP_MS = 1_500;

export type Checked =
  | { ok: false; errors: Record<string, string> }
  /** Ready to apply, or held until its asker confirms (`confirmationId`). */
  | { ok: true; request: ChangeRequest; confirmationId?: string };

/**
 * Everything the form's submission must get right before it is acknowledged, each problem keyed
 * by the block to show it on: keys, targets, the time, that the flag or segment exists, that this
 * person may change the environment — and whether it is protected.
 */
export async function checkSubmission(
  state: ModalState,
  ctx: { client: WebClient; who: Requester; deps: ListenerDeps },
): Promise<Checked> {
  const { deps } = ctx;
  const errors: Record<string, string> = {};
  const resourceBlock = `${MODAL.blocks.resource}_${state.kind}`;
  const resource: ResourceRef = {
    kind: state.kind,
    projectKey: state.project ?? deps.defaults.project,
    key: state.resource ?? '',
    environmentKey: state.environment ?? deps.defaults.environment,
  };
  if (!RESOURCE_KEY.test(resource.projectKey)) errors[MODAL.blocks.project] = MODAL_ERRORS.project;
  if (!state.resource) errors[resourceBlock] = MODAL_ERRORS.chooseResource(state.kind);
  const targets = parseTargets(state.targets);
  if (!targets.ok) errors[MODAL.blocks.targets] = targets.problem;
  const timeZone = await deps.timeZones.of(ctx.client, ctx.who.userId);
  const timing = readTiming(state.action, state.when, { now: deps.now(), timeZone });
  if (!timing.ok) errors[MODAL.blocks.when] = timing.problem;
  if (Object.keys(errors).length > 0 || !targets.ok || !timing.ok) return { ok: false, errors: clip(errors) };

  const request: ChangeRequest = {
    verb: state.action,
    resource,
    targets: targets.targets,
    ...timing.timing,
    variation: state.variation === undefined ? undefined : String(state.variation),
    targetType: state.targetType,
    grant: state.grant,
    ...(state.when ? { words: state.when.slice(0, 200) } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    comment: auditComment(
      ctx.who,
      `/expire form: ${state.action} ${state.kind} ${resource.key} ${targets.targets.map(targetLabel).join(',')} ${state.when}`,
    ),
  };
  // The slow checks, side by side so that together they stay inside Slack's deadline.
  const [missing, checked] = await Promise.all([
    within(resourceMissing(resource, deps), LOOKUP_MS),
    // A change held for approvers is held by its job: here only the change policy is asked.
    deps.changes.check({
      who: ctx.who,
      request,
      ...(deps.approvals.ruleFor(request) ? { confirmed: true, approved: true } : {}),
    }),
  ]);
  if (missing) errors[resourceBlock] = LD_MESSAGES.notFound(resource);
  if (checked.kind === 'refused')
    errors[MODAL.blocks.environment] = SAFETY_MESSAGES.refused(resource, checked.rule);
  if (Object.keys(errors).length > 0) return { ok: false, errors: clip(errors) };
  return {
    ok: true,
    request,
    confirmationId: checked.kind === 'needs-confirmation' ? checked.confirmationId : undefined,
  };
}

function resourceMissing(resource: ResourceRef, deps: ListenerDeps): Promise<boolean> {
  const lookup =
    resource.kind === 'flag'
      ? deps.lookups.getFlag(resource.projectKey, resource.key, resource.environmentKey)
      : deps.ld.getSegment(resource.projectKey, resource.environmentKey, resource.key);
  return lookup.then(
    () => false,
    (error) => error instanceof LdNotFoundError,
  );
}

function clip(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k, v.length > 2000 ? `${v.slice(0, 1999)}…` : v]),
  );
}
