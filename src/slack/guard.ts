import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { decide, groupsIn } from '../domain/policy.js';
import type { ResourceRef } from '../launchdarkly/instructions.js';
import type { ChangeRequest } from '../services/change.js';
import { CONFIRMATION_TTL_MS, SAFETY_MESSAGES } from './blocks/safety.js';
import type { ListenerDeps } from './context.js';
import { within } from './lookups.js';

/** Whether CHANGE_POLICY lets this person change this environment; a sentence when it does not. */
export async function authorize(
  resource: ResourceRef,
  ctx: { client: WebClient; userId: string; deps: ListenerDeps },
): Promise<{ ok: true } | { ok: false; message: string }> {
  const { deps } = ctx;
  const groupIds = groupsIn(deps.safety.policy);
  const groups = groupIds.length > 0 ? await deps.userGroups.of(ctx.client, ctx.userId, groupIds) : [];
  const decision = decide(deps.safety.policy, {
    project: resource.projectKey,
    environment: resource.environmentKey,
    userId: ctx.userId,
    groups,
  });
  if (decision.allowed) return { ok: true };
  deps.logger.info(
    { event: 'refused', user: ctx.userId, resource, rule: decision.rule?.text ?? null },
    'change refused by CHANGE_POLICY',
  );
  return { ok: false, message: SAFETY_MESSAGES.refused(resource, decision.rule) };
}

/**
 * Protected: named in PROTECTED_ENVIRONMENTS, or marked critical in LaunchDarkly. When
 * LaunchDarkly can't say in time, the environment is treated as protected: asking once too
 * often is the safe mistake.
 */
export async function isProtected(resource: ResourceRef, deps: ListenerDeps): Promise<boolean> {
  if (deps.safety.protectedEnvironments.includes(resource.environmentKey)) return true;
  const environments = await within(deps.lookups.listEnvironments(resource.projectKey), 1_500);
  if (!environments) return true;
  return environments.find((e) => e.key === resource.environmentKey)?.critical ?? true;
}

/** Stores the change until its asker confirms it (once, within ten minutes); returns the confirmation id. */
export async function holdForConfirmation(
  request: ChangeRequest,
  ctx: { userId: string; channel: string; deps: ListenerDeps },
): Promise<string> {
  const id = randomUUID();
  const now = ctx.deps.now().getTime();
  await ctx.deps.safetyStore.createConfirmation({
    id,
    user_id: ctx.userId,
    channel_id: ctx.channel,
    request: JSON.stringify(request),
    created_at: now,
    expires_at: now + CONFIRMATION_TTL_MS,
  });
  return id;
}
