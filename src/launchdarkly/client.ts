import type { Target } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import {
  type ApprovalRequestBody,
  applyApprovalRequest,
  approvalRequestUrl,
  createApprovalRequest,
  getApprovalRequest,
  type LdApprovalRequest,
  openApprovalRequests,
  reviewApprovalRequest,
} from './approval-requests.js';
import { type AuditEntry, searchAuditLog } from './audit-log.js';
import { batchSizes } from './batches.js';
import { Coalescer } from './coalesce.js';
import { CONTEXT_TARGETS, type ExpiringEndpoint, eachTargetOnce, USER_TARGETS } from './expiring-targets.js';
import { ExpiryPatches, type ExpiryPatchResult, type PatchProgress } from './expiry-patches.js';
import { LdHttp, type LdHttpOptions } from './http.js';
import type { ExpiryChange } from './instructions.js';
import { LIST_PAGE_SIZE, listedFlag, listedSegment, listPage } from './list-pages.js';
import type { ExpiringTarget } from './outcomes.js';
import {
  environmentsPath,
  expiringPath,
  flagPath,
  flagsPath,
  memberPath,
  segmentPath,
  segmentsPath,
} from './paths.js';
import * as schema from './schemas.js';
import {
  type FlagTargetsInput,
  flagTargetsInstructions,
  type SegmentTargetsInput,
  segmentTargetsInstructions,
  TargetingPatches,
} from './targeting-patches.js';

// What the rest of the code imports from here, wherever it is written.
export type { ApprovalRequestBody, Instruction, LdApprovalRequest } from './approval-requests.js';
export { AUDIT_PAGE_SIZE } from './audit-log.js';
export { DEFAULT_BATCH_SIZE, SEGMENT_BATCH_LIMIT } from './batches.js';
export type { ExpiryPatchResult, PatchProgress } from './expiry-patches.js';
export { LIST_PAGE_SIZE, type ListedResource, type ListPage } from './list-pages.js';
export type { FlagTargetsInput, SegmentTargetsInput } from './targeting-patches.js';

export interface LaunchDarklyClientOptions extends LdHttpOptions {
  batchSize?: number;
}

export type TargetRef = Target;

/**
 * LaunchDarkly's REST API as the bot uses it: expiring targets on flags and segments, the grants
 * that must precede them, and the reads the pickers need. Every answer is parsed with zod; every
 * failure is an LdError subclass.
 */
export class LaunchDarklyClient {
  private readonly http: LdHttp;
  private readonly expiryPatches: ExpiryPatches;
  private readonly targeting: TargetingPatches;
  private readonly baseUri: string;

  constructor(options: LaunchDarklyClientOptions) {
    this.http = new LdHttp(options);
    this.baseUri = options.baseUri;
    const batchSizeFor = batchSizes(options.batchSize);
    this.expiryPatches = new ExpiryPatches(this.http, batchSizeFor);
    this.targeting = new TargetingPatches(this.http, batchSizeFor, (projectKey, environmentKey, segmentKey) =>
      this.getSegment(projectKey, environmentKey, segmentKey),
    );
  }

  // ── Expiring targets ────────────────────────────────────────────────────────────────────────

  getExpiringUserTargets(ref: ResourceRef): Promise<ExpiringTarget[]> {
    return this.readExpiring(ref, USER_TARGETS);
  }

  getExpiringContextTargets(ref: ResourceRef): Promise<ExpiringTarget[]> {
    return this.readExpiring(ref, CONTEXT_TARGETS);
  }

  private async readExpiring<Item>(
    ref: ResourceRef,
    endpoint: ExpiringEndpoint<Item>,
  ): Promise<ExpiringTarget[]> {
    const path = expiringPath(ref, endpoint.path);
    const answer = await this.read(path, () => this.http.get(path, endpoint.readAnswer));
    return answer.items.map(endpoint.target);
  }

  /**
   * Reads of one flag or segment asked while the same read is in flight share the next one: each
   * caller gets an answer read after it asked, and a queue of changes to one flag reads it once
   * per round trip. Callers share the answer and never change it.
   */
  private read<T>(key: string, read: () => Promise<T>): Promise<T> {
    return this.reads.run(key, read) as Promise<T>;
  }

  private readonly reads = new Coalescer<() => Promise<unknown>, unknown>(async (reads) => {
    const answer = await reads[0]!();
    return reads.map(() => answer);
  });

  /** Both endpoints, each target once (the context endpoint may repeat users), soonest first. */
  async getExpiringTargets(ref: ResourceRef): Promise<ExpiringTarget[]> {
    const [users, contexts] = await Promise.all([
      this.getExpiringUserTargets(ref),
      this.getExpiringContextTargets(ref),
    ]);
    return eachTargetOnce(users, contexts);
  }

  /**
   * Sends expiry changes: users to the user endpoint, other kinds to the context endpoint, in
   * batches. Returns one outcome per change in the order given. Throws only when nothing was
   * applied because the request itself failed (bad token, unknown flag, …). Changes to the same
   * flag or segment asked while one is in flight go together in the next request, in the order
   * asked; a change touching a target already in that request waits for the one after.
   */
  patchExpiringTargets(
    ref: ResourceRef,
    changes: readonly ExpiryChange[],
    comment: string,
    onProgress?: (progress: PatchProgress) => void,
  ): Promise<ExpiryPatchResult> {
    return this.expiryPatches.send(ref, changes, comment, onProgress);
  }

  // ── Individual targeting: granted before an expiry, or removed at once ────────────────────

  /** Adds targets to a flag's individual targeting on one variation (`addTargets`, one per kind). */
  grantFlagTargets(input: FlagTargetsInput, comment: string): Promise<schema.FlagRep> {
    return this.targeting.flag('addTargets', input, comment);
  }

  /** Takes targets out of a flag's individual targeting on one variation (`removeTargets`). */
  removeFlagTargets(input: FlagTargetsInput, comment: string): Promise<schema.FlagRep> {
    return this.targeting.flag('removeTargets', input, comment);
  }

  /** Includes or excludes targets in a segment, in batches of at most 1,500 keys. */
  grantSegmentTargets(input: SegmentTargetsInput, comment: string): Promise<schema.SegmentRep> {
    const kind = input.targetType === 'included' ? 'addIncludedTargets' : 'addExcludedTargets';
    return this.targeting.segment(kind, input, comment);
  }

  /** Takes targets out of a segment's included or excluded list. */
  removeSegmentTargets(input: SegmentTargetsInput, comment: string): Promise<schema.SegmentRep> {
    const kind = input.targetType === 'included' ? 'removeIncludedTargets' : 'removeExcludedTargets';
    return this.targeting.segment(kind, input, comment);
  }

  /** The instructions `grantFlagTargets` sends, for an approval request that carries them instead. */
  grantFlagInstructions(input: FlagTargetsInput) {
    return flagTargetsInstructions('addTargets', input);
  }

  /** The instructions `grantSegmentTargets` sends, for an approval request that carries them instead. */
  grantSegmentInstructions(input: SegmentTargetsInput) {
    const kind = input.targetType === 'included' ? 'addIncludedTargets' : 'addExcludedTargets';
    return segmentTargetsInstructions(kind, input.targets);
  }

  // ── Approval requests, where LaunchDarkly requires them (PRODUCT §14) ──────────────────────

  /** The flag's or segment's requests still pending or scheduled. */
  openApprovalRequests(ref: ResourceRef): Promise<LdApprovalRequest[]> {
    return openApprovalRequests(this.http, ref);
  }

  createApprovalRequest(ref: ResourceRef, body: ApprovalRequestBody): Promise<LdApprovalRequest> {
    return createApprovalRequest(this.http, ref, body);
  }

  getApprovalRequest(ref: ResourceRef, id: string): Promise<LdApprovalRequest> {
    return getApprovalRequest(this.http, ref, id);
  }

  /** Applies an approved request (LaunchDarkly lets its requester do so). */
  applyApprovalRequest(ref: ResourceRef, id: string, comment: string): Promise<LdApprovalRequest> {
    return applyApprovalRequest(this.http, ref, id, comment);
  }

  reviewApprovalRequest(
    ref: ResourceRef,
    id: string,
    kind: 'approve' | 'decline',
    comment?: string,
  ): Promise<LdApprovalRequest> {
    return reviewApprovalRequest(this.http, ref, id, kind, comment);
  }

  /** Where a person sees a request in LaunchDarkly. */
  approvalRequestUrl(ref: ResourceRef, request: LdApprovalRequest): string {
    return approvalRequestUrl(this.baseUri, ref, request);
  }

  // ── Reads for watching (PRODUCT §7) ─────────────────────────────────────────────────────────

  /**
   * One page of a project's flags with their individual targets in `environmentKey`. An expiring
   * target needs the target to be individually targeted, so a flag that targets nobody there has
   * none to read.
   */
  async listFlagsPage(projectKey: string, environmentKey: string, offset: number, limit = LIST_PAGE_SIZE) {
    const query = { env: environmentKey, summary: 0, limit, offset };
    const answer = await this.http.get(flagsPath(projectKey), schema.flagPage, query);
    return listPage(answer, offset, (f) => listedFlag(f, environmentKey));
  }

  /** One page of an environment's segments, each saying whether it includes or excludes anyone. */
  async listSegmentsPage(projectKey: string, environmentKey: string, offset: number, limit = LIST_PAGE_SIZE) {
    const path = segmentsPath(projectKey, environmentKey);
    const answer = await this.http.get(path, schema.segmentPage, { limit, offset });
    return listPage(answer, offset, listedSegment);
  }

  /** Audit-log entries about one environment's flags and segments after `after`, newest first. */
  searchAuditLog(
    projectKey: string,
    environmentKey: string,
    after: number | undefined,
    maxPages = 50,
  ): Promise<AuditEntry[]> {
    return searchAuditLog(this.http, projectKey, environmentKey, after, maxPages);
  }

  // ── Reads for pickers and checks ───────────────────────────────────────────────────────────

  listEnvironments(projectKey: string, limit = 100) {
    return this.http
      .get(environmentsPath(projectKey), schema.environmentList, { limit })
      .then((a) => a.items);
  }

  /** Text search on flag key and name. */
  searchFlags(projectKey: string, text: string, limit = 20) {
    const filter = text.trim() ? `query:${text.trim()}` : undefined;
    return this.http
      .get(flagsPath(projectKey), schema.flagList, { filter, limit, summary: true })
      .then((a) => a.items);
  }

  /** One flag with its variations and, for `environmentKey`, its individual targets. */
  getFlag(projectKey: string, flagKey: string, environmentKey: string) {
    const path = flagPath(projectKey, flagKey);
    return this.read(`${path}?env=${encodeURIComponent(environmentKey)}`, () =>
      this.http.get(path, schema.flag, { env: environmentKey }),
    );
  }

  searchSegments(projectKey: string, environmentKey: string, text: string, limit = 20) {
    const filter = text.trim() ? `query equals "${text.trim().replace(/"/g, '')}"` : undefined;
    return this.http
      .get(segmentsPath(projectKey, environmentKey), schema.segmentList, { filter, limit })
      .then((a) => a.items);
  }

  getSegment(projectKey: string, environmentKey: string, segmentKey: string) {
    const path = segmentPath(projectKey, environmentKey, segmentKey);
    return this.read(path, () => this.http.get(path, schema.segment));
  }

  /** Which token and member the bot acts as. */
  getCallerIdentity() {
    return this.http.get('/api/v2/caller-identity', schema.callerIdentity);
  }

  /** One member: who a linked person is in LaunchDarkly, who reviewed a request ("Ariel Flores"). */
  getMember(memberId: string) {
    return this.http.get(memberPath(memberId), schema.member);
  }
}
