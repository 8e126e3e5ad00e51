import { createHash, randomUUID } from 'node:crypto';
import type { Actor, AuditRecord, RecordedRequest } from './fake-launchdarkly.js';
import { BOT_TOKEN_ACTOR, errorFor, UI_MEMBER } from './fake-launchdarkly.js';

/**
 * LaunchDarkly's approval requests for the fake LaunchDarkly (PRODUCT §14): the flag-scoped
 * `…/projects/{p}/flags/{f}/environments/{e}/approval-requests` operations and the generic
 * `/api/v2/approval-requests` ones, reviews and apply, and what a reviewer in LaunchDarkly's UI
 * does (`review`, `apply`, `remove`, `fail`). The fake LaunchDarkly owns one as `fake.approvals`
 * and hands it what it needs through an `ApprovalHost`, so this file holds no flag or segment
 * logic of its own: applying a request runs the very semantic patch a PATCH would.
 */

/** An environment's approval settings as a test seeds them (LaunchDarkly's `approvalSettings`). */
export interface ApprovalSettingsSeed {
  required?: boolean;
  /** Distinct approvals needed; LaunchDarkly allows 1–5. */
  minNumApprovals?: number;
  canReviewOwnRequest?: boolean;
  canApplyDeclinedChanges?: boolean;
}
export type ApprovalSettings = Required<ApprovalSettingsSeed>;

/** The settings of an environment: `approvals` (the old switch) wins over `seed.required`. */
export function approvalSettingsOf(approvals: boolean | undefined, seed: ApprovalSettingsSeed = {}) {
  return {
    required: approvals ?? seed.required ?? false,
    minNumApprovals: seed.minNumApprovals ?? 1,
    canReviewOwnRequest: seed.canReviewOwnRequest ?? false,
    canApplyDeclinedChanges: seed.canApplyDeclinedChanges ?? false,
  };
}

/** LaunchDarkly's `ApprovalSettings` representation (every field its schema requires). */
export function approvalSettingsRep(s: ApprovalSettings) {
  return {
    required: s.required,
    bypassApprovalsForPendingChanges: false,
    minNumApprovals: s.minNumApprovals,
    canReviewOwnRequest: s.canReviewOwnRequest,
    canApplyDeclinedChanges: s.canApplyDeclinedChanges,
    serviceKind: 'launchdarkly',
    serviceConfig: {},
    requiredApprovalTags: [],
  };
}

/**
 * Answers the fake gives on purpose where LaunchDarkly's spec documents no such status (a 405 on
 * the segment and expiring-targets PATCHes): the fake's self-check leaves them alone.
 */
const SIMULATED = new WeakSet<object>();
export const isSimulated = (payload: unknown) =>
  typeof payload === 'object' && payload !== null && SIMULATED.has(payload);

/** The 405 of an environment that requires approvals, with a message like LaunchDarkly's. */
export function approvalRequired(kind: 'flag' | 'segment', action: string) {
  const what = kind === 'flag' ? 'Flag' : 'Segment';
  const payload = {
    code: 'method_not_allowed',
    message: `${what} configuration updates require approval: action '${action}' not allowed`,
  };
  SIMULATED.add(payload);
  return payload;
}

/** A LaunchDarkly member as a reviewer, with the member id the approval objects carry. */
export function memberActor(firstName: string, lastName: string, email?: string, id?: string): Actor {
  const address = email ?? `${firstName}.${lastName}@acme.com`.toLowerCase();
  return { member: { _id: id ?? hexId(address), email: address, firstName, lastName } };
}

export interface Review {
  id: string;
  kind: 'approve' | 'decline' | 'comment';
  comment?: string;
  actor: Actor;
  creationDate: number;
}

export interface ApprovalRequest {
  id: string;
  version: number;
  kind: 'flag' | 'segment';
  projectKey: string;
  environmentKey: string;
  key: string;
  /** `proj/<p>:env/<e>:flag/<f>` or `…:segment/<s>`. */
  resourceId: string;
  description: string;
  /** The creation comment (LaunchDarkly's representation has no field for it). */
  comment?: string;
  instructions: Array<Record<string, unknown>>;
  notifyMemberIds: string[];
  creationDate: number;
  /** Who created it: the caller (the bot's token today; a member once the bot acts as people). */
  actor: Actor;
  reviews: Review[];
  reviewStatus: 'pending' | 'approved' | 'declined';
  status: 'pending' | 'completed' | 'failed' | 'scheduled';
  appliedDate?: number;
  appliedBy?: Actor;
}

/** What the approvals need from the fake LaunchDarkly. */
export interface ApprovalHost {
  now(): number;
  audit(
    kind: 'flag' | 'segment',
    projectKey: string,
    key: string,
    env: string,
    action: string,
    actor: Actor,
  ): AuditRecord;
  /** The environment's settings; undefined when the project or environment is unknown. */
  settings(projectKey: string, env: string): ApprovalSettings | undefined;
  exists(kind: 'flag' | 'segment', projectKey: string, env: string, key: string): boolean;
  /** Runs the instructions as the semantic PATCH would, past the approval check: its answer. */
  run(
    kind: 'flag' | 'segment',
    projectKey: string,
    env: string,
    key: string,
    instructions: unknown[],
  ): [number, unknown];
}

type Answer = [number, unknown];
type Scope = { kind: 'flag'; projectKey: string; flagKey: string; env: string } | { kind: 'generic' };

/** Instruction kinds the fake's PATCHes carry out; LaunchDarkly checks them when a request is made. */
const RUNNABLE: Record<'flag' | 'segment', string[]> = {
  flag: ['addTargets', 'addUserTargets', 'removeTargets', 'removeUserTargets'],
  segment: [
    'addIncludedTargets',
    'addExcludedTargets',
    'addIncludedUsers',
    'addExcludedUsers',
    'removeIncludedTargets',
    'removeExcludedTargets',
  ],
};
const FILTER_FIELDS = [
  'resourceId',
  'resourceKind',
  'projectKey',
  'requestorId',
  'notifyMemberIds',
  'reviewStatus',
  'status',
];
const SELF_REVIEW = 'You cannot review your own approval request';

export class FakeApprovals {
  /** Who an HTTP caller is: the bot's token. A test (or OAuth later) can make callers members. */
  callerOf: (r: RecordedRequest) => Actor = (r) => r.actor ?? BOT_TOKEN_ACTOR;

  private readonly requests = new Map<string, ApprovalRequest>();

  constructor(private readonly host: ApprovalHost) {}

  // ── What tests look at and what a reviewer in LaunchDarkly's UI does ─────────────────────

  /** Every request that was not deleted, oldest first. */
  list(): ApprovalRequest[] {
    return [...this.requests.values()];
  }

  get(id: string): ApprovalRequest | undefined {
    return this.requests.get(id);
  }

  /** A review as `member` gives it in LaunchDarkly's UI; throws LaunchDarkly's refusal. */
  review(id: string, member: Actor, kind: Review['kind'], comment?: string): ApprovalRequest {
    const [status, payload] = this.addReview(this.mustGet(id), member, kind, comment, 403);
    if (status !== 200) throw new Error(`fake LaunchDarkly: ${messageOf(payload)}`);
    return this.mustGet(id);
  }

  /** Applies the request as `member` in LaunchDarkly's UI; throws LaunchDarkly's refusal. */
  apply(id: string, member: Actor = UI_MEMBER, comment?: string): ApprovalRequest {
    const request = this.mustGet(id);
    const [status, payload] = this.applyAs(request, member, comment);
    if (status !== 200 && request.status !== 'failed')
      throw new Error(`fake LaunchDarkly: ${messageOf(payload)}`);
    return request;
  }

  /** Deletes the request as `member` in LaunchDarkly's UI. */
  remove(id: string, member: Actor = UI_MEMBER): void {
    this.deleteAs(this.mustGet(id), member);
  }

  /** The request's apply failed in LaunchDarkly (say, a scheduled apply by `member`). */
  fail(id: string, member: Actor = UI_MEMBER): ApprovalRequest {
    const request = this.mustGet(id);
    request.status = 'failed';
    request.version++;
    this.auditOf(request, 'applyApprovalRequest', member);
    return request;
  }

  reset(): void {
    this.callerOf = (r) => r.actor ?? BOT_TOKEN_ACTOR;
  }

  clear(): void {
    this.reset();
    this.requests.clear();
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────────

  /** The answer to an approval-request operation; undefined when the path is not one. */
  route(r: RecordedRequest): Answer | undefined {
    const parts = r.path.split('/').slice(3).map(decodeURIComponent); // after /api/v2
    let scope: Scope;
    let rest: string[];
    if (
      parts[0] === 'projects' &&
      parts[2] === 'flags' &&
      parts[4] === 'environments' &&
      parts[6] === 'approval-requests'
    ) {
      scope = { kind: 'flag', projectKey: parts[1]!, flagKey: parts[3]!, env: parts[5]! };
      rest = parts.slice(7);
    } else if (parts[0] === 'approval-requests') {
      scope = { kind: 'generic' };
      rest = parts.slice(1);
    } else return undefined;
    const [id, action] = rest;
    const caller = this.callerOf(r);
    if (!id) {
      if (r.method === 'POST') return this.createFromHttp(scope, r.body, caller);
      if (r.method === 'GET') return this.listFromHttp(scope, r.query);
      return [405, errorFor(405)];
    }
    const request = this.inScope(scope, id);
    if (!request) return [404, { code: 'not_found', message: 'Unable to find approval request' }];
    if (!action && r.method === 'GET') return [200, this.rep(scope, request)];
    if (!action && r.method === 'DELETE') {
      this.deleteAs(request, caller);
      return [204, undefined];
    }
    if (action === 'reviews' && r.method === 'POST') {
      if (!['approve', 'decline', 'comment'].includes(r.body.kind)) {
        return [400, { code: 'invalid_request', message: 'kind must be approve, decline or comment' }];
      }
      // LaunchDarkly documents 403 for the flag-scoped reviews and 405 for the generic ones.
      const [status, payload] = this.addReview(
        request,
        caller,
        r.body.kind,
        r.body.comment,
        scope.kind === 'flag' ? 403 : 405,
      );
      return status === 200 ? [200, this.rep(scope, request)] : [status, payload];
    }
    if (action === 'apply' && r.method === 'POST') {
      const [status, payload] = this.applyAs(request, caller, r.body?.comment);
      return status === 200 ? [200, this.rep(scope, request)] : [status, payload];
    }
    return [404, errorFor(404)];
  }

  private createFromHttp(scope: Scope, body: any, caller: Actor): Answer {
    // A flag-scoped POST names its flag in the path; a generic one in `resourceId`.
    const resource =
      scope.kind === 'flag'
        ? { kind: 'flag' as const, projectKey: scope.projectKey, env: scope.env, key: scope.flagKey }
        : parseResourceId(body.resourceId);
    if (!resource) {
      return [400, { code: 'invalid_request', message: `Invalid resource identifier ${body.resourceId}` }];
    }
    // The create operations document no 404: an unknown flag, segment or environment is a 400.
    if (
      !this.host.settings(resource.projectKey, resource.env) ||
      !this.host.exists(resource.kind, resource.projectKey, resource.env, resource.key)
    ) {
      return [
        400,
        { code: 'invalid_request', message: `Unknown ${resource.kind} ${resource.key} in ${resource.env}` },
      ];
    }
    const unknown = (body.instructions as Array<{ kind?: unknown }>).find(
      (i) => !RUNNABLE[resource.kind].includes(String(i.kind)),
    );
    if (unknown)
      return [400, { code: 'invalid_request', message: `unsupported instruction kind ${unknown.kind}` }];
    const request = this.create(resource, body, caller);
    return [201, this.rep(scope, request)];
  }

  private create(
    resource: { kind: 'flag' | 'segment'; projectKey: string; env: string; key: string },
    body: {
      description: string;
      comment?: string;
      instructions: Array<Record<string, unknown>>;
      notifyMemberIds?: string[];
    },
    actor: Actor,
  ): ApprovalRequest {
    const request: ApprovalRequest = {
      id: hexId(randomUUID()),
      version: 1,
      kind: resource.kind,
      projectKey: resource.projectKey,
      environmentKey: resource.env,
      key: resource.key,
      resourceId: `proj/${resource.projectKey}:env/${resource.env}:${resource.kind}/${resource.key}`,
      description: body.description,
      ...(body.comment ? { comment: body.comment } : {}),
      instructions: structuredClone(body.instructions),
      notifyMemberIds: [...(body.notifyMemberIds ?? [])],
      creationDate: this.host.now(),
      actor,
      reviews: [],
      reviewStatus: 'pending',
      status: 'pending',
    };
    this.requests.set(request.id, request);
    this.auditOf(request, 'createApprovalRequest', actor);
    return request;
  }

  private listFromHttp(scope: Scope, query: URLSearchParams): Answer {
    if (scope.kind === 'flag') {
      if (!this.host.exists('flag', scope.projectKey, scope.env, scope.flagKey)) return [404, errorFor(404)];
      const items = this.newestFirst().filter((a) => this.inScope(scope, a.id));
      return [200, { _links: {}, items: items.map((a) => this.rep(scope, a)) }];
    }
    const filters = parseFilter(query.get('filter') ?? '');
    const unsupported = filters.find((f) => !FILTER_FIELDS.includes(f.field));
    if (unsupported) {
      return [400, { code: 'invalid_request', message: `Unsupported filter field ${unsupported.field}` }];
    }
    const matching = this.newestFirst().filter((a) =>
      filters.every((f) => f.values.some((v) => fieldValues(a, f.field).includes(v))),
    );
    const limit = Math.min(200, Number(query.get('limit') ?? 20));
    const offset = Number(query.get('offset') ?? 0);
    const links: Record<string, { href: string; type: string }> = {};
    if (offset + limit < matching.length) {
      const next = new URLSearchParams(query);
      next.set('offset', String(offset + limit));
      links.next = { href: `/api/v2/approval-requests?${next}`, type: 'application/json' };
    }
    return [
      200,
      {
        _links: links,
        items: matching.slice(offset, offset + limit).map((a) => this.rep(scope, a)),
        totalCount: matching.length,
      },
    ];
  }

  // ── LaunchDarkly's rules ──────────────────────────────────────────────────────────────────

  /** Records a review; refuses the creator's own unless the environment allows it. */
  private addReview(
    request: ApprovalRequest,
    actor: Actor,
    kind: Review['kind'],
    comment: string | undefined,
    selfStatus: 403 | 405,
  ): Answer {
    const settings = this.settingsOf(request);
    if (kind !== 'comment' && sameActor(actor, request.actor) && !settings.canReviewOwnRequest) {
      return [
        selfStatus,
        { code: selfStatus === 403 ? 'forbidden' : 'method_not_allowed', message: SELF_REVIEW },
      ];
    }
    if (request.status !== 'pending' && kind !== 'comment') {
      return [
        400,
        {
          code: 'invalid_request',
          message: `The approval request is ${request.status}; it can no longer be reviewed`,
        },
      ];
    }
    request.reviews.push({
      id: hexId(randomUUID()),
      kind,
      ...(comment ? { comment } : {}),
      actor,
      creationDate: this.host.now(),
    });
    request.reviewStatus = reviewStatusOf(request.reviews, settings.minNumApprovals);
    request.version++;
    this.auditOf(request, 'reviewApprovalRequest', actor);
    return [200, undefined];
  }

  /**
   * Applies an approved request (or a declined one with an approval, where the environment
   * allows declined changes): the flag's or segment's semantic patch runs past the approval
   * check. If the patch is refused, the request has failed and the refusal is the answer.
   */
  private applyAs(request: ApprovalRequest, actor: Actor, comment: string | undefined): Answer {
    if (request.status !== 'pending') {
      return [400, { code: 'invalid_request', message: `The approval request is already ${request.status}` }];
    }
    const settings = this.settingsOf(request);
    const approvedOnce = request.reviews.some((r) => r.kind === 'approve');
    const may =
      request.reviewStatus === 'approved' ||
      (request.reviewStatus === 'declined' && settings.canApplyDeclinedChanges && approvedOnce);
    if (!may)
      return [400, { code: 'invalid_request', message: 'The approval request has not been approved' }];
    const [status, payload] = this.host.run(
      request.kind,
      request.projectKey,
      request.environmentKey,
      request.key,
      request.instructions,
    );
    request.version++;
    if (status !== 200) {
      request.status = 'failed';
      return [400, { code: 'invalid_request', message: messageOf(payload) }];
    }
    request.status = 'completed';
    request.appliedDate = this.host.now();
    request.appliedBy = actor;
    if (comment)
      request.reviews.push({
        id: hexId(randomUUID()),
        kind: 'comment',
        comment,
        actor,
        creationDate: this.host.now(),
      });
    // One entry for the apply; the flag or segment change it made is not logged apart.
    this.auditOf(request, 'applyApprovalRequest', actor);
    return [200, undefined];
  }

  private deleteAs(request: ApprovalRequest, actor: Actor): void {
    this.requests.delete(request.id);
    this.auditOf(request, 'deleteApprovalRequest', actor);
  }

  // ── Representation ────────────────────────────────────────────────────────────────────────

  /** `FlagConfigApprovalRequestResponse` (flag-scoped) or `ApprovalRequestResponse` (generic). */
  private rep(scope: Scope, a: ApprovalRequest) {
    const flagPath = `/api/v2/projects/${a.projectKey}/flags/${a.key}/environments/${a.environmentKey}/approval-requests/${a.id}`;
    const common = {
      _id: a.id,
      _version: a.version,
      creationDate: a.creationDate,
      serviceKind: 'launchdarkly',
      ...('member' in a.actor && a.actor.member._id ? { requestorId: a.actor.member._id } : {}),
      description: a.description,
      reviewStatus: a.reviewStatus,
      allReviews: a.reviews.map(reviewRep),
      notifyMemberIds: a.notifyMemberIds,
      ...(a.appliedDate !== undefined ? { appliedDate: a.appliedDate } : {}),
      ...(a.appliedBy ? appliedByRep(a.appliedBy) : {}),
      status: a.status,
      instructions: a.instructions,
      conflicts: [],
      _links: {
        self: {
          href: scope.kind === 'flag' ? flagPath : `/api/v2/approval-requests/${a.id}`,
          type: 'application/json',
        },
        site: { href: `/${a.projectKey}/${a.environmentKey}/approvals/${a.id}`, type: 'text/html' },
      },
    };
    if (scope.kind === 'flag') return common;
    return { ...common, resourceId: a.resourceId, approvalSettings: approvalSettingsRep(this.settingsOf(a)) };
  }

  // ── Small parts ───────────────────────────────────────────────────────────────────────────

  /** The request if this path may see it: a flag-scoped path sees only its flag's in its environment. */
  private inScope(scope: Scope, id: string): ApprovalRequest | undefined {
    const request = this.requests.get(id);
    if (!request || scope.kind === 'generic') return request;
    const mine =
      request.kind === 'flag' &&
      request.projectKey === scope.projectKey &&
      request.key === scope.flagKey &&
      request.environmentKey === scope.env;
    return mine ? request : undefined;
  }

  private newestFirst(): ApprovalRequest[] {
    return this.list().reverse();
  }

  private settingsOf(a: ApprovalRequest): ApprovalSettings {
    return this.host.settings(a.projectKey, a.environmentKey) ?? approvalSettingsOf(false);
  }

  private auditOf(a: ApprovalRequest, action: string, actor: Actor): void {
    this.host.audit(a.kind, a.projectKey, a.key, a.environmentKey, action, actor);
  }

  private mustGet(id: string): ApprovalRequest {
    const request = this.requests.get(id);
    if (!request) throw new Error(`fake LaunchDarkly has no approval request ${id}`);
    return request;
  }
}

/** `proj/<p>:env/<e>:flag/<f>` or `…:segment/<s>`; undefined for anything else. */
export function parseResourceId(resourceId: unknown) {
  const m = /^proj\/([^:/]+):env\/([^:/]+):(flag|segment)\/([^:/]+)$/.exec(String(resourceId));
  return m ? { projectKey: m[1]!, env: m[2]!, kind: m[3] as 'flag' | 'segment', key: m[4]! } : undefined;
}

/**
 * LaunchDarkly's `filter`, read loosely: `field operator value` joined by commas, a value being a
 * bare word, a quoted string or a JSON-ish list (`status anyOf ["pending","scheduled"]`).
 */
export function parseFilter(filter: string): Array<{ field: string; values: string[] }> {
  const terms: Array<{ field: string; values: string[] }> = [];
  for (const m of filter.matchAll(/\s*(\w+)\s+(\w+)\s+(\[[^\]]*\]|"[^"]*"|[^,]*)\s*(?:,|$)/g)) {
    const raw = m[3]!.trim();
    const values = raw.startsWith('[')
      ? raw.slice(1, -1).split(',').map(unquote).filter(Boolean)
      : [unquote(raw)];
    terms.push({ field: m[1]!, values });
  }
  return terms;
}

function unquote(s: string): string {
  return s.trim().replace(/^"(.*)"$/, '$1');
}

/** What a filter field matches in a request. */
function fieldValues(a: ApprovalRequest, field: string): string[] {
  switch (field) {
    case 'resourceId':
      return [a.resourceId];
    case 'resourceKind':
      return [a.kind];
    case 'projectKey':
      return [a.projectKey];
    case 'requestorId':
      return 'member' in a.actor && a.actor.member._id ? [a.actor.member._id] : [];
    case 'notifyMemberIds':
      return a.notifyMemberIds;
    case 'reviewStatus':
      return [a.reviewStatus];
    case 'status':
      return [a.status];
    default:
      return [];
  }
}

/**
 * Each reviewer's latest approve or decline counts: any decline declines the request; enough
 * distinct approvals approve it. Comments count for nothing.
 */
function reviewStatusOf(reviews: Review[], minNumApprovals: number): ApprovalRequest['reviewStatus'] {
  const latest = new Map<string, Review['kind']>();
  for (const r of reviews) if (r.kind !== 'comment') latest.set(actorKey(r.actor), r.kind);
  const kinds = [...latest.values()];
  if (kinds.includes('decline')) return 'declined';
  return kinds.filter((k) => k === 'approve').length >= minNumApprovals ? 'approved' : 'pending';
}

function reviewRep(r: Review) {
  return {
    _id: r.id,
    kind: r.kind,
    creationDate: r.creationDate,
    ...(r.comment ? { comment: r.comment } : {}),
    ...('member' in r.actor ? { memberId: memberIdOf(r.actor) } : { serviceTokenId: tokenIdOf(r.actor) }),
  };
}

function appliedByRep(actor: Actor) {
  return 'member' in actor
    ? { appliedByMemberId: memberIdOf(actor) }
    : { appliedByServiceTokenId: tokenIdOf(actor) };
}

function actorKey(actor: Actor): string {
  return 'member' in actor ? `member:${memberIdOf(actor)}` : `token:${tokenIdOf(actor)}`;
}

const sameActor = (a: Actor, b: Actor) => actorKey(a) === actorKey(b);

/** A member without an `_id` (an older test's Actor) gets one from the email, stable across calls. */
function memberIdOf(actor: Extract<Actor, { member: unknown }>): string {
  return actor.member._id ?? hexId(actor.member.email);
}

function tokenIdOf(actor: Extract<Actor, { token: unknown }>): string {
  return actor.token._id ?? hexId(actor.token.name);
}

/** A 24-hex id like LaunchDarkly's, derived from `seed`. */
function hexId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 24);
}

function messageOf(payload: unknown): string {
  return (payload as { message?: string } | undefined)?.message ?? 'failed';
}
