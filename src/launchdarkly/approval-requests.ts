import { z } from 'zod';
import { specifierOf } from '../domain/ld-approval.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { LdHttp } from './http.js';

// LaunchDarkly's approval requests (PRODUCT §14): flags have their own endpoints under the flag's
// environment; segments use the generic ones, naming the segment by its resource specifier.

const seg = encodeURIComponent;

const review = z.object({
  kind: z.string(),
  comment: z.string().optional(),
  memberId: z.string().optional(),
  serviceTokenId: z.string().optional(),
  creationDate: z.number().optional(),
});

/** Only the fields the bot reads. */
export const approvalRequest = z.object({
  _id: z.string(),
  description: z.string().optional(),
  /** pending | approved | declined */
  reviewStatus: z.string(),
  /** pending | completed | failed | scheduled */
  status: z.string(),
  allReviews: z.array(review).nullish(),
  requestorId: z.string().optional(),
  appliedDate: z.number().optional(),
  appliedByMemberId: z.string().optional(),
  _links: z.record(z.string(), z.object({ href: z.string().optional() })).optional(),
});

const approvalRequestList = z.object({ items: z.array(approvalRequest) });

export type LdApprovalRequest = z.infer<typeof approvalRequest>;

/** A semantic-patch instruction, as LaunchDarkly's approval request carries it. */
export type Instruction = Record<string, unknown> & { kind: string };

export interface ApprovalRequestBody {
  description: string;
  instructions: Instruction[];
  comment: string;
}

function collectionPath(ref: ResourceRef): string {
  return ref.kind === 'flag'
    ? `/api/v2/projects/${seg(ref.projectKey)}/flags/${seg(ref.key)}/environments/${seg(ref.environmentKey)}/approval-requests`
    : '/api/v2/approval-requests';
}

const itemPath = (ref: ResourceRef, id: string) => `${collectionPath(ref)}/${seg(id)}`;

/** The requests of one flag or segment that are still open. */
export async function openApprovalRequests(http: LdHttp, ref: ResourceRef): Promise<LdApprovalRequest[]> {
  const query =
    ref.kind === 'flag'
      ? undefined
      : { filter: `resourceId equals ${specifierOf(ref)},status anyOf ["pending","scheduled"]` };
  const answer = await http.get(collectionPath(ref), approvalRequestList, query);
  return answer.items.filter((r) => r.status === 'pending' || r.status === 'scheduled');
}

export function createApprovalRequest(
  http: LdHttp,
  ref: ResourceRef,
  body: ApprovalRequestBody,
): Promise<LdApprovalRequest> {
  const payload = ref.kind === 'flag' ? body : { resourceId: specifierOf(ref), ...body };
  return http.act(collectionPath(ref), payload, approvalRequest);
}

export function getApprovalRequest(http: LdHttp, ref: ResourceRef, id: string): Promise<LdApprovalRequest> {
  return http.get(itemPath(ref, id), approvalRequest);
}

export function applyApprovalRequest(
  http: LdHttp,
  ref: ResourceRef,
  id: string,
  comment: string,
): Promise<LdApprovalRequest> {
  return http.act(`${itemPath(ref, id)}/apply`, { comment }, approvalRequest);
}

export function reviewApprovalRequest(
  http: LdHttp,
  ref: ResourceRef,
  id: string,
  kind: 'approve' | 'decline',
  comment?: string,
): Promise<LdApprovalRequest> {
  return http.act(`${itemPath(ref, id)}/reviews`, { kind, ...(comment ? { comment } : {}) }, approvalRequest);
}

/**
 * Where a person sees the request in LaunchDarkly: the link LaunchDarkly gives (`site`), else the
 * page its UI keeps for a flag's or segment's approvals.
 */
export function approvalRequestUrl(baseUri: string, ref: ResourceRef, request: LdApprovalRequest): string {
  const site = request._links?.site?.href;
  if (site) return new URL(site, baseUri).toString();
  const collection = ref.kind === 'flag' ? 'flags' : 'segments';
  return `${baseUri.replace(/\/$/, '')}/projects/${seg(ref.projectKey)}/${collection}/${seg(ref.key)}/approvals/${seg(request._id)}?env=${seg(ref.environmentKey)}`;
}
