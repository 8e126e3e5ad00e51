import { createHash } from 'node:crypto';
import type { ChangeRequest } from '../domain/change-request.js';
import { targetLabel } from '../domain/targets.js';
import { formatUtc } from '../domain/when-format.js';
import type { Instruction, LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import { describeLdError, isTransient } from './ld-errors.js';
import { type LdApprovalAsked, type Plan, uncertain } from './plans.js';

/** Targets named in a request's description; the rest are counted. */
const NAMED = 5;

/**
 * Asks LaunchDarkly, with one approval request, for the grants it would not take directly (the
 * plans `awaiting` it): the same instructions, a description naming what and for how long, and the
 * Slack requester in the comment. A change resumed after a crash finds the request it made by the
 * mark in its description rather than making a second. When LaunchDarkly refuses the request
 * itself (the token may not create one), those targets fail with its reason.
 */
export async function askLdApproval(
  request: ChangeRequest,
  plans: Plan[],
  ld: LaunchDarklyClient,
): Promise<LdApprovalAsked | undefined> {
  const waiting = plans.filter((p) => p.awaiting);
  if (waiting.length === 0) return undefined;
  const ref = request.resource;
  const instructions = [...new Set(waiting.map((p) => p.awaiting!))].flat();
  const mark = `[ld-expiry-bot ${markOf(request, instructions)}]`;
  try {
    const open = await ld.openApprovalRequests(ref);
    const made =
      open.find((r) => r.description?.includes(mark)) ??
      (await uncertain(() =>
        ld.createApprovalRequest(ref, {
          description: `${describe(request, waiting)} ${mark}`,
          instructions,
          comment: `${request.comment} (requested through ld-expiry-bot: LaunchDarkly requires approval here)`,
        }),
      ));
    return { id: made._id, url: ld.approvalRequestUrl(ref, made) };
  } catch (error) {
    if (!(error instanceof LdError) || isTransient(error)) throw error;
    const message = `needs approval in LaunchDarkly, and the request for it was refused: ${describeLdError(error, ref)}`;
    for (const plan of waiting) {
      Object.assign(plan.result, { ok: false, message, awaitingApproval: undefined });
      delete plan.awaiting;
    }
    return undefined;
  }
}

/** Same change, same mark: what it changes and who asked (the comment names them). */
function markOf(request: ChangeRequest, instructions: Instruction[]): string {
  const what = JSON.stringify([request.resource, instructions, request.expiresAt, request.comment]);
  return createHash('sha256').update(what).digest('hex').slice(0, 16);
}

/** "Add sandy, bob to flag new-checkout in production until Fri 12 Dec 2026 17:00 UTC (Slack: @alice)". */
function describe(request: ChangeRequest, waiting: Plan[]): string {
  const ref = request.resource;
  const labels = waiting.map((p) => targetLabel(p.result.target));
  const named = labels.slice(0, NAMED).join(', ');
  const more = labels.length > NAMED ? ` and ${labels.length - NAMED} more` : '';
  const until = request.expiresAt !== undefined ? ` until ${formatUtc(request.expiresAt)}` : '';
  return `Add ${named}${more} to ${ref.kind} ${ref.key} in ${ref.environmentKey}${until}, then remove them (expiry set by ld-expiry-bot once applied)`;
}
