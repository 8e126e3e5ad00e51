import { z } from 'zod';
import { changeRequestSchema, provenanceSchema, requesterSchema } from './change-request.js';
import { type Policy, type Rule, ruleFor } from './policy.js';
import { VERBS } from './vocabulary.js';

/**
 * Approvals in Slack (PRODUCT §13): in an environment `APPROVERS` covers, a change that gives or
 * keeps access waits until enough approvers — listed there, never the requester — said yes.
 */

/** What an approval request holds: the change exactly as asked, by whom, and why. */
export const heldChangeSchema = z.object({
  who: requesterSchema,
  request: changeRequestSchema,
  provenance: provenanceSchema.optional(),
});
export type HeldChange = z.infer<typeof heldChangeSchema>;

export const APPROVAL_STATES = [
  /** Waiting for its approvers. */
  'pending',
  /** Enough approvers said yes; the change is being applied. */
  'approved',
  /** Applied (whatever LaunchDarkly said of each target: the result says). */
  'applied',
  /** Approved, but the change could not be made (the result says why). */
  'failed',
  'declined',
  'withdrawn',
  /** Nobody decided within APPROVAL_TIMEOUT. */
  'expired',
  /** Approved after the expiry it asked for had passed: not applied. */
  'too-late',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export interface ApprovalVote {
  userId: string;
  /** Their Slack name, for LaunchDarkly's audit comment. */
  userName?: string;
  at: number;
}

export interface Approval extends HeldChange {
  id: string;
  state: ApprovalState;
  /** Who may approve (the APPROVERS rule's users and groups when it was asked), for the message. */
  approvers: string[];
  needed: number;
  votes: ApprovalVote[];
  /** The request message in the channel, once posted. */
  channelId: string;
  messageTs?: string;
  /** Who declined or withdrew it, and why. */
  decidedBy?: string;
  declineReason?: string;
  createdAt: number;
  /** When it expires, undecided (APPROVAL_TIMEOUT after it was asked). */
  expiresAt: number;
  /** When its approvers were reminded (once, at half the timeout). */
  remindedAt?: number;
}

/**
 * The APPROVERS rule that holds a change, or none: when no rule covers its environment, or when
 * it takes access away (Remove now), it goes through as before.
 */
export function approvalRuleFor(
  approvers: Policy | undefined,
  request: HeldChange['request'],
): Rule | undefined {
  if (!approvers || VERBS[request.verb].revokes) return undefined;
  return ruleFor(approvers, request.resource.projectKey, request.resource.environmentKey);
}

/** The same change asked again (a double click, a second ask while the first waits): one request. */
export function sameChange(a: HeldChange['request'], b: HeldChange['request']): boolean {
  const key = (r: HeldChange['request']) =>
    JSON.stringify([
      r.verb,
      r.resource,
      r.targets,
      r.expiresAt,
      r.extendBy,
      r.targetType,
      r.grant,
      r.variation,
    ]);
  return key(a) === key(b);
}

/** Why a click on Approve or Decline is refused, if it is. */
export type ApproverRefusal = 'requester' | 'not-an-approver' | 'already-approved' | 'decided';

/**
 * Whether `userId` (in `groups`) may approve or decline: a pending request, someone the rule lists
 * (a user, one of their groups, or `*`), never its requester, and approving once.
 */
export function approverRefusal(
  approval: Pick<Approval, 'state' | 'votes' | 'who'>,
  rule: Rule | undefined,
  clicker: { userId: string; groups: readonly string[] },
  approving: boolean,
): ApproverRefusal | undefined {
  if (approval.state !== 'pending') return 'decided';
  if (clicker.userId === approval.who.userId) return 'requester';
  const listed = rule?.who.some((w) => w === '*' || w === clicker.userId || clicker.groups.includes(w));
  if (!listed) return 'not-an-approver';
  if (approving && approval.votes.some((v) => v.userId === clicker.userId)) return 'already-approved';
  return undefined;
}

/**
 * The votes once `vote` is counted (once per approver), and whether that was enough. The votes of
 * `lapsed` approvers (not listed in APPROVERS as far as Slack said just now) do not count towards
 * it; they stay recorded, and count again once Slack says they are approvers again.
 */
export function withVote(
  approval: Pick<Approval, 'votes' | 'needed'>,
  vote: ApprovalVote,
  lapsed: ReadonlySet<string> = new Set(),
): { votes: ApprovalVote[]; counting: number; enough: boolean } {
  const votes = [...approval.votes.filter((v) => v.userId !== vote.userId), vote];
  const counting = votes.filter((v) => !lapsed.has(v.userId)).length;
  return { votes, counting, enough: counting >= approval.needed };
}

/** An approval that comes after the instant the change asked for is not applied: ask again. */
export const tooLate = (approval: Pick<Approval, 'request'>, now: number): boolean =>
  approval.request.expiresAt !== undefined && approval.request.expiresAt <= now;

/** Approvers are reminded once, at half the time a request waits. */
export const reminderDueAt = (approval: Pick<Approval, 'createdAt' | 'expiresAt'>): number =>
  approval.createdAt + Math.floor((approval.expiresAt - approval.createdAt) / 2);

/** The audit comment of an approved change: the requester's own, then who approved it. */
export function approvedComment(comment: string, votes: readonly ApprovalVote[]): string {
  const names = votes.map((v) => (v.userName ? `@${v.userName} (${v.userId})` : v.userId));
  return `${comment} | approved in Slack by ${names.join(', ')}`.slice(0, 2_000);
}
