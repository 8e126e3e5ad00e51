import type { ChangeRequest } from '../domain/change-request.js';
import { shiftInstant } from '../domain/shift.js';
import { type Target, targetLabel } from '../domain/targets.js';
import { type ResourceRef, type TargetType, VERBS } from '../domain/vocabulary.js';
import type { Instruction, LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError, LdNetworkError, LdServerError, needsApproval } from '../launchdarkly/errors.js';
import type { ExpiryChange } from '../launchdarkly/instructions.js';
import type { ExpiringTarget } from '../launchdarkly/outcomes.js';
import { describeLdError, isTransient } from './ld-errors.js';

/** What a change plans for each target, and the steps the flag and segment planners share. */

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
  /**
   * LaunchDarkly takes its grant only through an approval request: nothing is done yet; its expiry
   * (`expiresAt`) is set once the request is applied.
   */
  awaitingApproval?: boolean;
}

/** The approval request LaunchDarkly asked for, carrying the grants it would not take directly. */
export interface LdApprovalAsked {
  id: string;
  /** Where a person sees it in LaunchDarkly. */
  url: string;
  /** Linked people may review it from Slack, as themselves (linking is configured). */
  reviewable?: boolean;
}

export interface ChangeResult {
  request: ChangeRequest;
  /** One per target, in the order asked. */
  results: TargetResult[];
  /** Set when some targets wait for a LaunchDarkly approval request (`awaitingApproval`). */
  ldApproval?: LdApprovalAsked;
}

/**
 * What each target is to become, by label: its new expiry, or null when it is to lose it. Written
 * down before anything is sent, so that work resumed after a crash finishes the same change (an
 * extend moves from where it started, not again) and counts what already happened as done.
 */
export type PlannedTargets = Record<string, number | null>;

/** A request to LaunchDarkly that may have changed something went unanswered: read before telling. */
export class UncertainChangeError extends Error {
  constructor(readonly ldError: LdError) {
    super(ldError.message);
  }
}

export interface Plan {
  result: TargetResult;
  change?: ExpiryChange;
  /** revoke: how the target is held, to take it out of targeting. */
  held?: { variationId: string } | { targetType: TargetType };
  /** The grant instructions an approval request must carry for this target (`awaitingApproval`). */
  awaiting?: Instruction[];
}

/**
 * Sends. A request that went unanswered (the connection dropped, a timeout, a 5xx) may have been
 * applied: its outcome is uncertain, not "nothing". A 429 or a 409 was refused, and is retried as is.
 */
export async function uncertain<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof LdNetworkError || error instanceof LdServerError)
      throw new UncertainChangeError(error);
    throw error;
  }
}

export function where(ref: ResourceRef): string {
  return `${ref.key} in ${ref.environmentKey}`;
}

export function failed(target: Target, message: string): Plan {
  return { result: { target, ok: false, message } };
}

/** Existing expiries by target label. */
export async function scheduledOn(request: ChangeRequest, ld: LaunchDarklyClient) {
  const items = await ld.getExpiringTargets(request.resource);
  return new Map(items.map((t) => [targetLabel(t), t]));
}

/** update, extend and remove act on the expiry LaunchDarkly has; the new instant, if any, follows. */
export function onScheduled(
  request: ChangeRequest,
  target: Target,
  existing: ExpiringTarget | undefined,
): Plan {
  const { op } = VERBS[request.verb];
  if (!existing) {
    const hint = VERBS[request.verb].whenNoneScheduled ? ` — ${VERBS[request.verb].whenNoneScheduled}` : '';
    return failed(target, `no expiry scheduled on ${where(request.resource)}${hint}.`);
  }
  const expiresAt =
    VERBS[request.verb].takes === 'duration' && request.extendBy
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

/**
 * Runs a grant; when LaunchDarkly refuses it, the targets it was for fail with its reason. Where
 * LaunchDarkly takes the grant only through an approval request and `instructions` says what the
 * grant is, the targets wait for that request instead.
 */
export async function sendFor(
  plans: Plan[],
  what: string,
  ref: ResourceRef,
  send: () => Promise<unknown>,
  instructions?: () => Instruction[],
) {
  try {
    await uncertain(send);
  } catch (error) {
    if (instructions && needsApproval(error)) {
      const awaiting = instructions();
      for (const plan of plans) Object.assign(plan, { awaiting }).result.awaitingApproval = true;
      return;
    }
    // An outage or a rate limit is the whole change's to retry, not this group's failure.
    if (!(error instanceof LdError) || isTransient(error)) throw error;
    const message = `${what}: ${describeLdError(error, ref)}`;
    for (const plan of plans) Object.assign(plan.result, { ok: false, message });
  }
}

/** `--variation` names no variation of the flag. */
export class VariationError extends Error {}
