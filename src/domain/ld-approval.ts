import { z } from 'zod';
import { changeRequestSchema, provenanceSchema, requesterSchema } from './change-request.js';
import type { ResourceRef } from './vocabulary.js';

/**
 * A LaunchDarkly approval request the bot created for grants LaunchDarkly would not take directly
 * (PRODUCT §14), followed until it is decided. `request` is the expiry to set once it is applied:
 * the targets that waited for it, no longer to be granted.
 */
export const LD_APPROVAL_STATES = ['open', 'completed', 'declined', 'deleted', 'failed'] as const;
export type LdApprovalState = (typeof LD_APPROVAL_STATES)[number];

export const ldHeldSchema = z.object({
  who: requesterSchema,
  request: changeRequestSchema,
  provenance: provenanceSchema.optional(),
});

export interface LdApproval extends z.infer<typeof ldHeldSchema> {
  /** LaunchDarkly's `_id`. */
  id: string;
  state: LdApprovalState;
  url: string;
  channelId: string;
  messageTs?: string;
  createdAt: number;
  nextCheckAt: number;
  pendingToldAt?: number;
}

/**
 * What became of a request in LaunchDarkly, once; each is said in the thread. A schema: the news
 * travels in a durable job's payload.
 */
export const ldApprovalNewsSchema = z.discriminatedUnion('kind', [
  /** Approved, not yet applied: the bot applies it (as the requester may). */
  z.object({ kind: z.literal('approved') }),
  z.object({ kind: z.literal('completed') }),
  z.object({ kind: z.literal('declined'), by: z.string().optional(), comment: z.string().optional() }),
  z.object({ kind: z.literal('deleted') }),
  z.object({ kind: z.literal('failed') }),
  /** Not decided within APPROVAL_TIMEOUT: said once (with why it could not be read, if so), followed on. */
  z.object({ kind: z.literal('still-pending'), unreadable: z.string().optional() }),
]);

export type LdApprovalNews = z.infer<typeof ldApprovalNewsSchema>;

/** The state a piece of news leaves the request in (`open` while it may still be decided). */
export function stateAfter(news: LdApprovalNews): LdApprovalState {
  return news.kind === 'still-pending' || news.kind === 'approved' ? 'open' : news.kind;
}

/** Audit-log and webhook actions on approval requests: any of them, and the request is read again. */
const APPROVAL_ACTIONS = new Set([
  'createApprovalRequest',
  'reviewApprovalRequest',
  'applyApprovalRequest',
  'deleteApprovalRequest',
  'updateApprovalRequest',
]);

export const aboutApprovals = (actions: readonly string[]) => actions.some((a) => APPROVAL_ACTIONS.has(a));

/** `proj/<p>:env/<e>:flag/<f>`: how LaunchDarkly's audit log and approval requests name a resource. */
export function specifierOf(ref: ResourceRef): string {
  return `proj/${ref.projectKey}:env/${ref.environmentKey}:${ref.kind}/${ref.key}`;
}
