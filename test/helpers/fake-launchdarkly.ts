import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ApprovalSettings,
  type ApprovalSettingsSeed,
  approvalRequired,
  approvalSettingsOf,
  approvalSettingsRep,
  FakeApprovals,
  isSimulated,
} from './fake-ld-approvals.js';
import { FakeLdOAuth, type FakeMember, memberRep } from './fake-ld-oauth.js';
import { Hold } from './hold.js';
import { listen, readBody, sendJson } from './http-server.js';
import { OpenApiValidator } from './openapi.js';

/**
 * A LaunchDarkly stand-in: a real HTTP server on 127.0.0.1 holding projects, environments, flags,
 * segments and expiring targets, answering the bot's endpoints the way LaunchDarkly does
 * (semantic patch rules, per-instruction errors, 404s, 409s, 429s with headers) and checking every
 * request and its own every answer against LaunchDarkly's OpenAPI schemas.
 */

export const FAKE_LD_TOKEN = 'api-fake-0123456789abcdef';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
  status?: number;
  /** Date.now() when it arrived. */
  at?: number;
  /** What the fake answered (undefined when the request was dropped or faulted). */
  response?: unknown;
  /** Who its token acts as: the bot, or a linked member (`fake-ld-oauth.ts`). */
  actor?: Actor;
  member?: FakeMember;
}

export interface Fault {
  /** Which requests it hits; all when absent. */
  match?: (req: RecordedRequest) => boolean;
  /** The answer's status; unused with `applyFirst`, which answers what LaunchDarkly would. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests it answers; 1 by default. */
  times?: number;
  /** Close the socket without answering (a network failure). */
  destroy?: boolean;
  /**
   * Carry the request out as LaunchDarkly would, then lose its answer: `destroy` resets the
   * connection, `delayMs` holds the answer back (longer than the client waits: a timeout).
   */
  applyFirst?: boolean;
  /** With `applyFirst`: milliseconds before the answer. */
  delayMs?: number;
  /** Never answer (a hung server); or send the status and headers, then never the body. */
  hang?: 'silent' | 'after-headers';
}

interface Variation {
  _id: string;
  value: unknown;
  name?: string;
}
interface FlagTarget {
  contextKind: string;
  values: string[];
  variation: number;
}
interface Flag {
  key: string;
  name: string;
  version: number;
  variations: Variation[];
  /** Per environment: individual targets of every context kind. */
  targets: Map<string, FlagTarget[]>;
}
interface Segment {
  key: string;
  name: string;
  version: number;
  included: Map<string, Set<string>>;
  excluded: Map<string, Set<string>>;
}
interface Environment {
  key: string;
  name: string;
  critical: boolean;
  /** Changes need an approved request: PATCHes answer 405. */
  approvals: boolean;
  /** LaunchDarkly's `approvalSettings` (fake-ld-approvals.ts); `required` is `approvals`. */
  approvalSettings: ApprovalSettings;
  /** The expiring-targets PATCHes answer 405 too (LaunchDarkly does not document this case). */
  expiryApprovals: boolean;
}
/** An environment as `addProject` takes it. */
type EnvironmentSeed = Partial<Omit<Environment, 'approvalSettings'>> & {
  key: string;
  approvalSettings?: ApprovalSettingsSeed;
};
interface Expiring {
  id: string;
  version: number;
  expirationDate: number;
  contextKind: string;
  contextKey: string;
  variationId?: string;
  targetType?: 'included' | 'excluded';
}
interface Project {
  key: string;
  name: string;
  environments: Map<string, Environment>;
  flags: Map<string, Flag>;
  /** env → segment key → segment */
  segments: Map<string, Map<string, Segment>>;
}

export interface FlagSeed {
  key: string;
  name?: string;
  /** Values, or objects with a name. Defaults to booleans true/false. */
  variations?: Array<{ value: unknown; name?: string }>;
  /** env → targets: `{ variation: index, values, contextKind? }` */
  targets?: Record<string, Array<{ variation: number; values: string[]; contextKind?: string }>>;
}

export interface SegmentSeed {
  key: string;
  name?: string;
  included?: string[];
  excluded?: string[];
  includedContexts?: Array<{ contextKind: string; values: string[] }>;
  excludedContexts?: Array<{ contextKind: string; values: string[] }>;
}

/** Who made a change, as the audit log names them. */
export type Actor =
  | { member: { _id?: string; email: string; firstName: string; lastName: string } }
  | { token: { _id?: string; name: string } };

/** A person in LaunchDarkly's UI: changes made "outside the bot". */
export const UI_MEMBER: Actor = {
  member: {
    _id: '5e1d0c0b0a09080706050403',
    email: 'ariel@acme.com',
    firstName: 'Ariel',
    lastName: 'Flores',
  },
};
/** The bot's own token, as the audit log names it. */
export const BOT_TOKEN_ACTOR: Actor = { token: { _id: '6a0b1c2d3e4f5a6b7c8d9e0f', name: 'ld-expiry-bot' } };

export interface AuditRecord {
  id: string;
  date: number;
  kind: 'flag' | 'segment';
  specifier: string;
  name: string;
  action: string;
  actor: Actor;
}

/** A simulated per-route rate limit: `perWindow` requests per route every `windowMs`. */
export interface RouteLimit {
  perWindow: number;
  windowMs: number;
}

const SEMANTIC_PATCH = /domain-model=launchdarkly\.semanticpatch/;
const SEGMENT_BATCH_LIMIT = 1_500;

export class FakeLaunchDarkly {
  url = '';
  readonly token = FAKE_LD_TOKEN;
  readonly requests: RecordedRequest[] = [];
  /** Requests our client sent that LaunchDarkly's schemas reject, and answers of ours they reject. */
  readonly schemaViolations: string[] = [];
  /** Milliseconds before each answer. */
  delayMs = 0;
  /** Milliseconds before the answer to one request, on top of `delayMs` (only PATCHes slow, say). */
  delayOf: (req: RecordedRequest) => number = () => 0;
  /** `errors[].instructionIndex` base; LaunchDarkly does not document it. */
  instructionIndexBase: 0 | 1 = 0;
  /** The fake's clock, for rejecting past expiry dates. */
  now: () => number = Date.now;
  /** Answer 429 on every n-th request (0: never). */
  rateLimitEvery = 0;
  rateLimitHeaders: Record<string, string> = { 'Retry-After': '0' };
  /** Per-route rate limiting with LaunchDarkly's headers; off when undefined. */
  routeLimit: RouteLimit | undefined;
  /** 429s answered by the route limit, and requests that came back on a route before its Retry-After. */
  readonly rateLimited = { answered: 0, earlyRetries: 0 };
  /** Every change, newest last, as the audit log lists it. */
  readonly auditLog: AuditRecord[] = [];
  /** LaunchDarkly's approval requests, and what a reviewer in its UI does (fake-ld-approvals.ts). */
  readonly approvals = new FakeApprovals({
    now: () => this.now(),
    audit: (kind, projectKey, key, env, action, actor) =>
      this.audit(kind, projectKey, key, env, action, actor),
    settings: (projectKey, env) => this.projects.get(projectKey)?.environments.get(env)?.approvalSettings,
    exists: (kind, projectKey, env, key) => {
      const project = this.projects.get(projectKey);
      if (!project?.environments.has(env)) return false;
      return kind === 'flag' ? project.flags.has(key) : (project.segments.get(env)?.has(key) ?? false);
    },
    run: (kind, projectKey, env, key, instructions) =>
      this.runApproved(kind, projectKey, env, key, instructions),
  });
  /** The OAuth endpoints and the members' bearer tokens (PRODUCT §15). */
  readonly oauth = new FakeLdOAuth(() => this.now());

  private readonly projects = new Map<string, Project>();
  private readonly expiring = new Map<string, Expiring[]>();
  private faults: Fault[] = [];
  private holds: Array<Hold<RecordedRequest>> = [];
  private counter = 0;
  private readonly windows = new Map<string, { resetAt: number; used: number; limitedUntil: number }>();
  private readonly validator = new OpenApiValidator();

  /** `checkSchemas: false` skips the self-checks (the benchmark's fakes: only behaviour matters there). */
  constructor(private readonly options: { checkSchemas?: boolean } = {}) {}
  private closeServer: (() => Promise<void>) | undefined;

  async start(): Promise<this> {
    const { url, close } = await listen((req, res) => this.handle(req, res));
    this.url = url;
    this.closeServer = close;
    return this;
  }

  async stop(): Promise<void> {
    await this.closeServer?.();
  }

  // ── Seeding and inspection ────────────────────────────────────────────────────────────────

  addProject(key: string, environments: Array<string | EnvironmentSeed>): this {
    const envs = new Map<string, Environment>();
    for (const e of environments) {
      const env: EnvironmentSeed = typeof e === 'string' ? { key: e } : e;
      const approvalSettings = approvalSettingsOf(env.approvals, env.approvalSettings);
      envs.set(env.key, {
        key: env.key,
        name: env.name ?? env.key[0]!.toUpperCase() + env.key.slice(1),
        critical: env.critical ?? false,
        approvals: approvalSettings.required,
        approvalSettings,
        expiryApprovals: env.expiryApprovals ?? false,
      });
    }
    this.projects.set(key, { key, name: key, environments: envs, flags: new Map(), segments: new Map() });
    return this;
  }

  addFlag(projectKey: string, seed: FlagSeed): this {
    const project = this.project(projectKey);
    const variations = (seed.variations ?? [{ value: true }, { value: false }]).map((v) => ({
      _id: randomUUID(),
      value: v.value,
      ...(v.name ? { name: v.name } : {}),
    }));
    const targets = new Map<string, FlagTarget[]>();
    for (const env of project.environments.keys()) {
      targets.set(
        env,
        (seed.targets?.[env] ?? []).map((t) => ({
          contextKind: t.contextKind ?? 'user',
          values: [...t.values],
          variation: t.variation,
        })),
      );
    }
    project.flags.set(seed.key, {
      key: seed.key,
      name: seed.name ?? seed.key,
      version: 1,
      variations,
      targets,
    });
    return this;
  }

  addSegment(projectKey: string, environmentKey: string, seed: SegmentSeed): this {
    const project = this.project(projectKey);
    const toMap = (users: string[] | undefined, contexts: SegmentSeed['includedContexts']) => {
      const map = new Map<string, Set<string>>();
      if (users?.length) map.set('user', new Set(users));
      for (const c of contexts ?? [])
        map.set(c.contextKind, new Set([...(map.get(c.contextKind) ?? []), ...c.values]));
      return map;
    };
    const envSegments = project.segments.get(environmentKey) ?? new Map<string, Segment>();
    envSegments.set(seed.key, {
      key: seed.key,
      name: seed.name ?? seed.key,
      version: 1,
      included: toMap(seed.included, seed.includedContexts),
      excluded: toMap(seed.excluded, seed.excludedContexts),
    });
    project.segments.set(environmentKey, envSegments);
    return this;
  }

  variationId(projectKey: string, flagKey: string, index: number): string {
    return this.project(projectKey).flags.get(flagKey)!.variations[index]!._id;
  }

  /** Expiring targets LaunchDarkly holds for a flag or segment in an environment. */
  expiringTargets(kind: 'flag' | 'segment', projectKey: string, key: string, env: string): Expiring[] {
    return [...(this.expiring.get(expiringKey(kind, projectKey, key, env)) ?? [])];
  }

  /** Schedules an expiry directly, as if done in LaunchDarkly's UI. */
  setExpiring(
    kind: 'flag' | 'segment',
    projectKey: string,
    key: string,
    env: string,
    target: Omit<Expiring, 'id' | 'version'> & { version?: number },
    actor: Actor = UI_MEMBER,
  ): Expiring {
    const list = this.expiringList(kind, projectKey, key, env);
    const entry = {
      id: randomUUID().replace(/-/g, '').slice(0, 24),
      version: target.version ?? 1,
      ...target,
    };
    list.push(entry);
    this.audit(kind, projectKey, key, env, 'updateExpiringTargets', actor);
    return entry;
  }

  /** Moves an expiry directly, as if done in LaunchDarkly's UI. */
  moveExpiring(
    kind: 'flag' | 'segment',
    projectKey: string,
    key: string,
    env: string,
    target: { contextKind: string; contextKey: string },
    expirationDate: number,
    actor: Actor = UI_MEMBER,
  ): void {
    const entry = this.expiringList(kind, projectKey, key, env).find(
      (e) => e.contextKind === target.contextKind && e.contextKey === target.contextKey,
    );
    if (!entry) throw new Error(`fake LaunchDarkly: no expiry for ${target.contextKey} on ${key}`);
    entry.expirationDate = expirationDate;
    entry.version++;
    this.audit(kind, projectKey, key, env, 'updateExpiringTargets', actor);
  }

  /** Removes an expiry directly (the target stays), as if done in LaunchDarkly's UI. */
  removeExpiring(
    kind: 'flag' | 'segment',
    projectKey: string,
    key: string,
    env: string,
    target: { contextKind: string; contextKey: string },
    actor: Actor = UI_MEMBER,
  ): void {
    const list = this.expiringList(kind, projectKey, key, env);
    const index = list.findIndex(
      (e) => e.contextKind === target.contextKind && e.contextKey === target.contextKey,
    );
    if (index < 0) throw new Error(`fake LaunchDarkly: no expiry for ${target.contextKey} on ${key}`);
    list.splice(index, 1);
    this.audit(kind, projectKey, key, env, 'updateExpiringTargets', actor);
  }

  /** Appends an audit-log entry for a change to a flag or segment in an environment. */
  audit(
    kind: 'flag' | 'segment',
    projectKey: string,
    key: string,
    env: string,
    action: string,
    actor: Actor = UI_MEMBER,
  ): AuditRecord {
    const project = this.project(projectKey);
    const name =
      kind === 'flag'
        ? (project.flags.get(key)?.name ?? key)
        : (project.segments.get(env)?.get(key)?.name ?? key);
    const record = {
      id: randomUUID().replace(/-/g, '').slice(0, 24),
      date: this.now(),
      kind,
      specifier: `proj/${projectKey}:env/${env}:${kind}/${key}`,
      name,
      action,
      actor,
    };
    this.auditLog.push(record);
    return record;
  }

  /**
   * What LaunchDarkly itself does when an expiry's time comes: every expiring target due by the
   * fake's clock is taken out of the flag's individual targeting or the segment's list, and its
   * scheduled removal is gone. Returns how many were removed.
   */
  runExpiries(): number {
    let removed = 0;
    for (const [id, list] of this.expiring) {
      const [kind, projectKey, key, env] = id.split('/') as ['flag' | 'segment', string, string, string];
      for (const e of [...list]) {
        if (e.expirationDate > this.now()) continue;
        list.splice(list.indexOf(e), 1);
        removed++;
        const project = this.project(projectKey);
        if (kind === 'flag') {
          for (const t of project.flags.get(key)?.targets.get(env) ?? []) {
            if (t.contextKind === e.contextKind) t.values = t.values.filter((v) => v !== e.contextKey);
          }
        } else {
          const segment = project.segments.get(env)?.get(key);
          segment?.[e.targetType ?? 'included'].get(e.contextKind)?.delete(e.contextKey);
        }
      }
    }
    return removed;
  }

  flagTargets(projectKey: string, flagKey: string, env: string): FlagTarget[] {
    return this.project(projectKey).flags.get(flagKey)!.targets.get(env)!;
  }

  segmentMembers(projectKey: string, env: string, segmentKey: string, type: 'included' | 'excluded') {
    const segment = this.project(projectKey).segments.get(env)!.get(segmentKey)!;
    return segment[type];
  }

  /** Queues a fault: the next matching request(s) get this answer instead. */
  fail(fault: Fault): this {
    this.faults.push({ times: 1, ...fault });
    return this;
  }

  /** Holds the next `times` matching requests until the test releases or drops them. */
  hold(match: (req: RecordedRequest) => boolean, times = 1): Hold<RecordedRequest> {
    const hold = new Hold(match, times);
    this.holds.push(hold);
    return hold;
  }

  /** Requests that changed something. */
  patches(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }

  reset(): void {
    this.requests.length = 0;
    this.schemaViolations.length = 0;
    this.faults = [];
    this.holds = [];
    this.counter = 0;
    this.rateLimitEvery = 0;
    this.delayMs = 0;
    this.delayOf = () => 0;
    this.instructionIndexBase = 0;
    this.now = Date.now;
    this.routeLimit = undefined;
    this.windows.clear();
    this.rateLimited.answered = 0;
    this.rateLimited.earlyRetries = 0;
    this.approvals.reset();
    this.oauth.reset();
  }

  /** Forgets all data too, for a test that seeds its own. */
  clear(): void {
    this.reset();
    this.projects.clear();
    this.expiring.clear();
    this.auditLog.length = 0;
    this.approvals.clear();
  }

  // ── HTTP ─────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      at: Date.now(),
    };
    this.requests.push(recorded);
    const hold = this.holds.find((h) => h.takes(recorded));
    if (hold && (await hold.wait(recorded)) === 'drop') {
      req.socket.destroy();
      return;
    }
    const delay = this.delayMs + this.delayOf(recorded);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    let lost: Fault | undefined;
    const limitHeaders: Record<string, string> = {};
    const answer = async (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      const headers = { ...limitHeaders, ...extra };
      recorded.status = status;
      recorded.response = payload;
      if (
        this.options.checkSchemas !== false &&
        status < 500 &&
        !outsideTheSpec(status, payload) &&
        this.validator.operation(recorded.method, recorded.path)
      ) {
        for (const p of this.validator.checkResponse(recorded.method, recorded.path, status, payload)) {
          this.schemaViolations.push(`answer ${status} to ${recorded.method} ${recorded.path}: ${p}`);
        }
      }
      if (lost?.destroy) {
        req.socket.destroy();
        return;
      }
      if (lost?.delayMs) await new Promise((r) => setTimeout(r, lost!.delayMs));
      if (!res.destroyed) sendJson(res, status, payload, headers);
    };

    const fault = this.faults.find((f) => !f.match || f.match(recorded));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    }
    if (fault?.applyFirst) lost = fault;
    else if (fault) {
      if (fault.destroy) {
        req.socket.destroy();
        return;
      }
      const status = fault.status ?? 500;
      if (fault.hang === 'silent') return;
      if (fault.hang === 'after-headers') {
        res.writeHead(status, { 'Content-Type': 'application/json', ...fault.headers });
        res.write('{"items": [');
        return;
      }
      recorded.status = status;
      sendJson(res, status, fault.body ?? errorFor(status), fault.headers);
      return;
    }
    this.counter++;
    if (this.rateLimitEvery > 0 && this.counter % this.rateLimitEvery === 0) {
      return answer(429, errorFor(429), this.rateLimitHeaders);
    }
    if (this.routeLimit) {
      const limited = this.takeFromWindow(recorded, this.routeLimit, limitHeaders);
      if (limited) return answer(429, errorFor(429), limited);
    }
    if (recorded.path.startsWith('/trust/oauth/')) return this.oauth.handle(recorded, res);
    const person = this.oauth.actorFor(req.headers.authorization);
    if (req.headers.authorization !== this.token && !person) return answer(401, errorFor(401));
    recorded.actor = person?.actor ?? BOT_TOKEN_ACTOR;
    recorded.member = person?.member;
    // A reader's token reads; a change (a PATCH, a POST other than the audit-log search) is refused.
    const changes =
      recorded.method === 'PATCH' || (recorded.method === 'POST' && recorded.path !== '/api/v2/auditlog');
    if (person?.member.role === 'reader' && changes) return answer(403, errorFor(403));
    if (req.headers['ld-api-version'] !== '20240415') {
      return answer(400, { code: 'invalid_request', message: 'Missing or unknown LD-API-Version' });
    }
    if (recorded.method === 'POST') {
      const problems =
        this.options.checkSchemas === false ? [] : this.validator.checkRequest('POST', recorded.path, body);
      if (!/^application\/json/.test(String(req.headers['content-type']))) {
        problems.push(`content-type ${req.headers['content-type']} is not application/json`);
      }
      if (problems.length > 0) {
        this.schemaViolations.push(...problems.map((p) => `request POST ${recorded.path}: ${p}`));
        return answer(400, { code: 'invalid_request', message: problems.join('; ') });
      }
    }
    if (recorded.method === 'PATCH') {
      if (!SEMANTIC_PATCH.test(String(req.headers['content-type']))) {
        // Without the domain-model parameter the body is read as a JSON patch.
        return answer(400, { code: 'invalid_request', message: 'Invalid JSON patch: expected an array' });
      }
      const problems =
        this.options.checkSchemas === false
          ? []
          : this.validator.checkRequest(recorded.method, recorded.path, body);
      if (problems.length > 0) {
        this.schemaViolations.push(
          ...problems.map((p) => `request ${recorded.method} ${recorded.path}: ${p}`),
        );
        return answer(400, { code: 'invalid_request', message: problems.join('; ') });
      }
      if (typeof body?.comment !== 'string' || body.comment.length === 0) {
        this.schemaViolations.push(`request ${recorded.method} ${recorded.path}: no comment`);
      }
    }
    const [status, payload] = this.route(recorded);
    if (recorded.method === 'PATCH' && status === 200) this.auditPatch(recorded);
    await answer(status, payload);
  }

  private route(r: RecordedRequest): [number, unknown] {
    const parts = r.path.split('/').slice(3).map(decodeURIComponent); // after /api/v2
    const [collection, a, b, c, d] = parts;
    if (r.method === 'GET' && r.path === '/api/v2/caller-identity' && r.member) {
      return [200, this.oauth.callerIdentity(r.member)];
    }
    if (r.method === 'GET' && collection === 'members' && a && !b) {
      const member = this.oauth.memberRep(a);
      return member ? [200, member] : this.member(a);
    }
    if (r.method === 'GET' && r.path === '/api/v2/caller-identity') {
      return [
        200,
        { accountId: 'acct-1', tokenName: 'ld-expiry-bot', tokenKind: 'auth', serviceToken: true },
      ];
    }
    const approval = this.approvals.route(r);
    if (approval) return approval;
    if (collection === 'projects') return this.routeProjects(r, a, b);
    if (collection === 'auditlog' && !a && r.method === 'POST') return [200, this.auditSearch(r)];
    if (collection === 'flags' && a) {
      const project = this.projects.get(a);
      if (!project) return [404, errorFor(404)];
      if (!b) return r.method === 'GET' ? [200, this.flagList(project, r.query)] : [405, errorFor(405)];
      const flag = project.flags.get(b);
      if (!flag) return [404, errorFor(404)];
      if ((c === 'expiring-user-targets' || c === 'expiring-targets') && d) {
        if (!project.environments.has(d)) return [404, errorFor(404)];
        return this.expiringRoute(r, 'flag', project, b, d, c === 'expiring-user-targets');
      }
      if (c) return [404, errorFor(404)];
      if (r.method === 'GET') return [200, this.flagRep(project, flag, r.query.get('env'))];
      return this.patchFlag(project, flag, r.body);
    }
    if (collection === 'segments' && a && b) {
      const project = this.projects.get(a);
      if (!project) return [404, errorFor(404)];
      if ((c === 'expiring-user-targets' || c === 'expiring-targets') && d) {
        const segment = project.segments.get(d)?.get(b);
        if (!segment) return [404, errorFor(404)];
        return this.expiringRoute(r, 'segment', project, b, d, c === 'expiring-user-targets');
      }
      const env = project.environments.get(b);
      if (!env) return [404, errorFor(404)];
      if (!c) return r.method === 'GET' ? [200, this.segmentList(project, b, r.query)] : [405, errorFor(405)];
      const segment = project.segments.get(b)?.get(c);
      if (!segment) return [404, errorFor(404)];
      if (r.method === 'GET') return [200, segmentRep(segment)];
      return this.patchSegment(env, segment, r.body);
    }
    return [404, errorFor(404)];
  }

  /** `GET /api/v2/members/{id}` of a member who never linked: those the fake has seen act (audit log, reviews). */
  private member(id: string): [number, unknown] {
    const actors = [
      UI_MEMBER,
      ...this.auditLog.map((a) => a.actor),
      ...this.approvals.list().flatMap((r) => [r.actor, ...r.reviews.map((v) => v.actor)]),
    ];
    const found = actors.find((a) => 'member' in a && a.member._id === id);
    if (!found || !('member' in found)) return [404, errorFor(404)];
    return [200, memberRep({ ...found.member, _id: found.member._id ?? id })];
  }

  private routeProjects(r: RecordedRequest, projectKey?: string, sub?: string): [number, unknown] {
    if (r.method !== 'GET') return [405, errorFor(405)];
    if (!projectKey) {
      return [
        200,
        { _links: {}, items: [...this.projects.values()].map(projectRep), totalCount: this.projects.size },
      ];
    }
    const project = this.projects.get(projectKey);
    if (!project) return [404, errorFor(404)];
    if (sub === 'environments') {
      const items = [...project.environments.values()].map(environmentRep);
      return [200, { _links: {}, items, totalCount: items.length }];
    }
    if (sub === 'context-kinds') {
      const kinds = new Set(['user']);
      for (const flag of project.flags.values())
        for (const ts of flag.targets.values()) for (const t of ts) kinds.add(t.contextKind);
      return [200, { _links: {}, items: [...kinds].map(contextKindRep) }];
    }
    return sub ? [404, errorFor(404)] : [200, projectRep(project)];
  }

  private flagList(project: Project, query: URLSearchParams) {
    const text = (query.get('filter') ?? '').match(/query:([^,]*)/)?.[1]?.toLowerCase() ?? '';
    const limit = Number(query.get('limit') ?? 20);
    const offset = Number(query.get('offset') ?? 0);
    const matching = [...project.flags.values()].filter(
      (f) => f.key.toLowerCase().includes(text) || f.name.toLowerCase().includes(text),
    );
    return {
      _links: pageLinks(`/api/v2/flags/${project.key}`, query, offset, limit, matching.length),
      items: matching.slice(offset, offset + limit).map((f) => this.flagRep(project, f, query.get('env'))),
      totalCount: matching.length,
    };
  }

  private segmentList(project: Project, env: string, query: URLSearchParams) {
    const text = (query.get('filter') ?? '').match(/query equals "([^"]*)"/)?.[1]?.toLowerCase() ?? '';
    const limit = Number(query.get('limit') ?? 20);
    const offset = Number(query.get('offset') ?? 0);
    const matching = [...(project.segments.get(env)?.values() ?? [])].filter(
      (s) => s.key.toLowerCase().includes(text) || s.name.toLowerCase().includes(text),
    );
    return {
      _links: pageLinks(`/api/v2/segments/${project.key}/${env}`, query, offset, limit, matching.length),
      items: matching.slice(offset, offset + limit).map(segmentRep),
      totalCount: matching.length,
    };
  }

  // ── Audit log and rate limits ───────────────────────────────────────────────────────────

  /** `POST /api/v2/auditlog`: entries the body's specifiers allow, newest first, paged with `before`. */
  private auditSearch(r: RecordedRequest) {
    const after = r.query.has('after') ? Number(r.query.get('after')) : -Infinity;
    const before = r.query.has('before') ? Number(r.query.get('before')) : Infinity;
    const limit = Math.min(20, Math.max(1, Number(r.query.get('limit') ?? 10)));
    const patterns = (r.body as Array<{ effect: string; resources?: string[] }>)
      .filter((st) => st.effect === 'allow')
      .flatMap((st) => st.resources ?? [])
      .map(specifierPattern);
    const matching = this.auditLog
      .map((record, index) => ({ record, index }))
      .filter(({ record }) => record.date > after && record.date < before)
      .filter(({ record }) => patterns.some((p) => p.test(record.specifier)))
      .sort((x, y) => y.record.date - x.record.date || y.index - x.index)
      .map(({ record }) => record);
    const items = matching.slice(0, limit);
    const links: Record<string, { href: string; type: string }> = {};
    if (matching.length > limit) {
      const next = new URLSearchParams(r.query);
      next.set('before', String(items[items.length - 1]!.date));
      links.next = { href: `/api/v2/auditlog?${next}`, type: 'application/json' };
    }
    return { _links: links, items: items.map(auditRep) };
  }

  private auditPatch(r: RecordedRequest): void {
    const parts = r.path.split('/').slice(3).map(decodeURIComponent);
    const [collection, projectKey, b, c, d] = parts;
    const actor = r.actor ?? BOT_TOKEN_ACTOR;
    if (collection === 'flags' && d) this.audit('flag', projectKey!, b!, d, 'updateExpiringTargets', actor);
    else if (collection === 'flags')
      this.audit('flag', projectKey!, b!, r.body.environmentKey, 'updateTargets', actor);
    else if (d) this.audit('segment', projectKey!, b!, d, 'updateExpiringTargets', actor);
    else this.audit('segment', projectKey!, c!, b!, 'updateIncluded', actor);
  }

  /**
   * Counts a request against its route's window; sets the headers LaunchDarkly sends, and returns
   * the 429 headers when the window is used up.
   */
  private takeFromWindow(r: RecordedRequest, limit: RouteLimit, headers: Record<string, string>) {
    const route = `${r.method} ${this.validator.operation(r.method, r.path)?.template ?? r.path}`;
    const now = this.now();
    let window = this.windows.get(route);
    if (!window || now >= window.resetAt) {
      window = { resetAt: now + limit.windowMs, used: 0, limitedUntil: window?.limitedUntil ?? 0 };
      this.windows.set(route, window);
    }
    if (now < window.limitedUntil) this.rateLimited.earlyRetries++;
    if (window.used >= limit.perWindow) {
      this.rateLimited.answered++;
      const retryAfterS = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
      window.limitedUntil = now + retryAfterS * 1000;
      return {
        'Retry-After': String(retryAfterS),
        'X-Ratelimit-Reset': String(window.resetAt),
        'X-Ratelimit-Route-Remaining': '0',
      };
    }
    window.used++;
    headers['X-Ratelimit-Route-Remaining'] = String(limit.perWindow - window.used);
    headers['X-Ratelimit-Reset'] = String(window.resetAt);
    return undefined;
  }

  private flagRep(project: Project, flag: Flag, env: string | null) {
    const environments: Record<string, unknown> = {};
    for (const [key, targets] of flag.targets) {
      if (env && key !== env) continue;
      environments[key] = {
        _environmentName: project.environments.get(key)!.name,
        _site: { href: `/${project.key}/${key}/features/${flag.key}`, type: 'text/html' },
        archived: false,
        lastModified: 1_700_000_000_000,
        on: true,
        salt: 'salt',
        sel: 'sel',
        trackEvents: false,
        trackEventsFallthrough: false,
        version: flag.version,
        targets: targets
          .filter((t) => t.contextKind === 'user' && t.values.length > 0)
          .map(({ values, variation }) => ({
            values,
            variation,
            contextKind: 'user',
          })),
        contextTargets: targets
          .filter((t) => t.contextKind !== 'user' && t.values.length > 0)
          .map(({ values, variation, contextKind }) => ({ values, variation, contextKind })),
      };
    }
    return {
      _links: { self: { href: `/api/v2/flags/${project.key}/${flag.key}`, type: 'application/json' } },
      _version: flag.version,
      archived: false,
      creationDate: 1_700_000_000_000,
      customProperties: {},
      experiments: { baselineIdx: 0, items: [] },
      key: flag.key,
      kind: typeof flag.variations[0]?.value === 'boolean' ? 'boolean' : 'multivariate',
      name: flag.name,
      tags: [],
      temporary: true,
      variations: flag.variations,
      environments,
    };
  }

  // ── Semantic patches ────────────────────────────────────────────────────────────────────

  /** `approved`: an applied approval request runs the same patch past the approval check. */
  private patchFlag(project: Project, flag: Flag, body: any, approved = false): [number, unknown] {
    const env = project.environments.get(body.environmentKey);
    if (!body.environmentKey || !env) {
      return [400, { code: 'invalid_request', message: 'environmentKey is required for this instruction' }];
    }
    if (env.approvals && !approved) return [405, approvalRequired('flag', 'updateTargets')];
    // A flag semantic patch is all or nothing: work on a copy.
    const targets = structuredClone(flag.targets.get(env.key)!);
    for (const instruction of body.instructions as any[]) {
      const variation = flag.variations.findIndex((v) => v._id === instruction.variationId);
      if (variation < 0) return [400, { code: 'invalid_request', message: 'Invalid variation ID' }];
      if (instruction.kind === 'removeTargets' || instruction.kind === 'removeUserTargets') {
        const kind = instruction.kind === 'removeUserTargets' ? 'user' : (instruction.contextKind ?? 'user');
        const entry = targets.find((t) => t.contextKind === kind && t.variation === variation);
        if (entry) entry.values = entry.values.filter((v) => !instruction.values.includes(v));
        // LaunchDarkly drops a removed target's scheduled removal with it.
        const list = this.expiringList('flag', project.key, flag.key, env.key);
        for (const e of [...list]) {
          if (e.contextKind === kind && instruction.values.includes(e.contextKey))
            list.splice(list.indexOf(e), 1);
        }
        continue;
      }
      if (instruction.kind !== 'addTargets' && instruction.kind !== 'addUserTargets') {
        return [
          400,
          { code: 'invalid_request', message: `unsupported instruction kind ${instruction.kind}` },
        ];
      }
      const contextKind =
        instruction.kind === 'addUserTargets' ? 'user' : (instruction.contextKind ?? 'user');
      for (const value of instruction.values as string[]) {
        const elsewhere = targets.find(
          (t) => t.contextKind === contextKind && t.variation !== variation && t.values.includes(value),
        );
        if (elsewhere) {
          return [
            400,
            {
              code: 'invalid_request',
              message: `Cannot target ${value} to multiple variations in the same environment`,
            },
          ];
        }
        let entry = targets.find((t) => t.contextKind === contextKind && t.variation === variation);
        if (!entry) {
          entry = { contextKind, variation, values: [] };
          targets.push(entry);
        }
        if (!entry.values.includes(value)) entry.values.push(value);
      }
    }
    flag.targets.set(env.key, targets);
    flag.version++;
    return [200, this.flagRep(project, flag, env.key)];
  }

  private patchSegment(env: Environment, segment: Segment, body: any, approved = false): [number, unknown] {
    if (body.environmentKey !== env.key) {
      return [400, { code: 'invalid_request', message: 'environmentKey must match the path' }];
    }
    if (env.approvals && !approved) {
      const excluded = (body.instructions as any[]).every((i) => /Excluded/.test(i.kind));
      return [405, approvalRequired('segment', excluded ? 'updateExcluded' : 'updateIncluded')];
    }
    const kinds: Record<string, ['included' | 'excluded', boolean]> = {
      addIncludedTargets: ['included', false],
      addExcludedTargets: ['excluded', false],
      addIncludedUsers: ['included', true],
      addExcludedUsers: ['excluded', true],
      removeIncludedTargets: ['included', false],
      removeExcludedTargets: ['excluded', false],
    };
    const total = (body.instructions as any[]).reduce((n, i) => n + (i.values?.length ?? 0), 0);
    if (total > SEGMENT_BATCH_LIMIT) {
      return [
        400,
        { code: 'invalid_request', message: `Segment target batch limit of ${SEGMENT_BATCH_LIMIT} exceeded` },
      ];
    }
    for (const instruction of body.instructions as any[]) {
      const kind = kinds[instruction.kind];
      if (!kind)
        return [
          400,
          { code: 'invalid_request', message: `unsupported instruction kind ${instruction.kind}` },
        ];
      const [type, users] = kind;
      const contextKind = users ? 'user' : instruction.contextKind;
      if (!contextKind) return [400, { code: 'invalid_request', message: 'contextKind is required' }];
      const set = segment[type].get(contextKind) ?? new Set<string>();
      for (const v of instruction.values as string[]) {
        if (instruction.kind.startsWith('remove')) set.delete(v);
        else set.add(v);
      }
      segment[type].set(contextKind, set);
    }
    segment.version++;
    return [200, segmentRep(segment)];
  }

  /** An approved request's instructions, run as the flag or segment PATCH would run them. */
  private runApproved(
    kind: 'flag' | 'segment',
    projectKey: string,
    env: string,
    key: string,
    instructions: unknown[],
  ): [number, unknown] {
    const project = this.project(projectKey);
    const body = { environmentKey: env, instructions };
    if (kind === 'flag') {
      const flag = project.flags.get(key);
      return flag ? this.patchFlag(project, flag, body, true) : [404, errorFor(404)];
    }
    const segment = project.segments.get(env)?.get(key);
    const environment = project.environments.get(env);
    return segment && environment
      ? this.patchSegment(environment, segment, body, true)
      : [404, errorFor(404)];
  }

  private expiringRoute(
    r: RecordedRequest,
    kind: 'flag' | 'segment',
    project: Project,
    key: string,
    env: string,
    userEndpoint: boolean,
  ): [number, unknown] {
    const list = this.expiringList(kind, project.key, key, env);
    const resourceId = { kind, projectKey: project.key, environmentKey: env, key };
    const render = () =>
      list
        .filter((e) => !userEndpoint || e.contextKind === 'user')
        .map((e) => expiringRep(e, resourceId, userEndpoint));
    if (r.method === 'GET') return [200, { _links: {}, items: render() }];
    if (project.environments.get(env)?.expiryApprovals) {
      return [405, approvalRequired(kind, 'updateExpiringTargets')];
    }

    const instructions = r.body.instructions as any[];
    const errors: Array<{ instructionIndex: number; message: string }> = [];
    instructions.forEach((instruction, index) => {
      const message = this.applyExpiring(kind, project, key, env, list, instruction, userEndpoint);
      if (message) errors.push({ instructionIndex: index + this.instructionIndexBase, message });
    });
    if (kind === 'segment') project.segments.get(env)!.get(key)!.version++;
    return [
      200,
      {
        _links: {},
        items: render(),
        totalInstructions: instructions.length,
        successfulInstructions: instructions.length - errors.length,
        failedInstructions: errors.length,
        errors,
      },
    ];
  }

  /** Applies one instruction; returns LaunchDarkly's message when it fails. */
  private applyExpiring(
    kind: 'flag' | 'segment',
    project: Project,
    key: string,
    env: string,
    list: Expiring[],
    instruction: any,
    userEndpoint: boolean,
  ): string | undefined {
    const op = /^add/.test(instruction.kind) ? 'add' : /^update/.test(instruction.kind) ? 'update' : 'remove';
    const expectedKinds = userEndpoint
      ? ['addExpireUserTargetDate', 'updateExpireUserTargetDate', 'removeExpireUserTargetDate']
      : ['addExpiringTarget', 'updateExpiringTarget', 'removeExpiringTarget'];
    if (!expectedKinds.includes(instruction.kind)) return `Unknown instruction kind ${instruction.kind}`;
    const contextKind = userEndpoint ? 'user' : instruction.contextKind;
    const contextKey = userEndpoint ? instruction.userKey : instruction.contextKey;
    if (!contextKind || !contextKey) return 'contextKind and contextKey are required';
    const scope =
      kind === 'flag'
        ? { variationId: instruction.variationId }
        : { targetType: instruction.targetType ?? 'included' };
    if (kind === 'flag' && !scope.variationId) return 'variationId is required';

    const existing = list.find((e) => e.contextKind === contextKind && e.contextKey === contextKey);
    if (op !== 'remove') {
      if (!Number.isInteger(instruction.value)) return 'value is required';
      if (instruction.value <= this.now()) return 'The expiration date must be in the future';
    }
    if (op === 'add') {
      if (existing) return `${contextKey} already has a scheduled removal; update it instead`;
      const targeted =
        kind === 'flag'
          ? this.flagTargetVariation(project, key, env, contextKind, contextKey) === scope.variationId
          : (project.segments
              .get(env)
              ?.get(key)
              ?.[scope.targetType as 'included' | 'excluded'].get(contextKind)
              ?.has(contextKey) ?? false);
      if (!targeted) {
        return kind === 'flag'
          ? `${contextKind} ${contextKey} is not individually targeted by variation ${scope.variationId}`
          : `${contextKind} ${contextKey} is not ${scope.targetType} in segment ${key}`;
      }
      list.push({
        id: randomUUID().replace(/-/g, '').slice(0, 24),
        version: 1,
        expirationDate: instruction.value,
        contextKind,
        contextKey,
        ...scope,
      });
      return undefined;
    }
    if (!existing) return `No scheduled removal found for ${contextKind} ${contextKey}`;
    if (kind === 'flag' && existing.variationId !== scope.variationId) return 'variationId does not match';
    if (op === 'update') {
      if (instruction.version !== undefined && instruction.version !== existing.version) {
        return `Version mismatch for ${contextKey}: expected ${existing.version}`;
      }
      existing.expirationDate = instruction.value;
      existing.version++;
      return undefined;
    }
    list.splice(list.indexOf(existing), 1);
    return undefined;
  }

  private flagTargetVariation(project: Project, flagKey: string, env: string, kind: string, key: string) {
    const flag = project.flags.get(flagKey)!;
    const target = flag.targets.get(env)?.find((t) => t.contextKind === kind && t.values.includes(key));
    return target ? flag.variations[target.variation]?._id : undefined;
  }

  private expiringList(kind: 'flag' | 'segment', projectKey: string, key: string, env: string): Expiring[] {
    const id = expiringKey(kind, projectKey, key, env);
    let list = this.expiring.get(id);
    if (!list) {
      list = [];
      this.expiring.set(id, list);
    }
    return list;
  }

  private project(key: string): Project {
    const project = this.projects.get(key);
    if (!project) throw new Error(`fake LaunchDarkly has no project ${key}`);
    return project;
  }
}

function pageLinks(path: string, query: URLSearchParams, offset: number, limit: number, total: number) {
  const links: Record<string, { href: string; type: string }> = {};
  if (offset + limit < total) {
    const next = new URLSearchParams(query);
    next.set('offset', String(offset + limit));
    links.next = { href: `${path}?${next}`, type: 'application/json' };
  }
  return links;
}

/** A resource specifier with globs → a regex over concrete specifiers (tags ignored). */
function specifierPattern(specifier: string): RegExp {
  const parts = specifier.split(':').map((part) =>
    part
      .split(';')[0]!
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^:;]*'),
  );
  return new RegExp(`^${parts.join(':')}$`);
}

export function auditRep(a: AuditRecord) {
  const who =
    'member' in a.actor ? `${a.actor.member.firstName} ${a.actor.member.lastName}` : a.actor.token.name;
  return {
    _links: {},
    _id: a.id,
    _accountId: 'acct-1',
    date: a.date,
    accesses: [{ action: a.action, resource: a.specifier }],
    kind: a.kind,
    name: a.name,
    description: `${who} changed ${a.kind} ${a.name}`,
    shortDescription: `changed ${a.kind} ${a.name}`,
    titleVerb: `changed the ${a.kind}`,
    title: `${who} changed the ${a.kind} ${a.name}`,
    target: { name: a.name, resources: [a.specifier] },
    ...a.actor,
  };
}

function expiringKey(kind: string, project: string, key: string, env: string) {
  return `${kind}/${project}/${key}/${env}`;
}

function expiringRep(e: Expiring, resourceId: object, userEndpoint: boolean) {
  const common = {
    _id: e.id,
    _version: e.version,
    expirationDate: e.expirationDate,
    _resourceId: resourceId,
    ...(e.variationId ? { variationId: e.variationId } : {}),
    ...(e.targetType ? { targetType: e.targetType } : {}),
  };
  return userEndpoint
    ? { ...common, userKey: e.contextKey }
    : { ...common, contextKind: e.contextKind, contextKey: e.contextKey };
}

function segmentRep(s: Segment) {
  const users = (m: Map<string, Set<string>>) => [...(m.get('user') ?? [])];
  const contexts = (m: Map<string, Set<string>>) =>
    [...m]
      .filter(([kind]) => kind !== 'user')
      .map(([contextKind, values]) => ({ contextKind, values: [...values] }));
  return {
    _links: {},
    creationDate: 1_700_000_000_000,
    deleted: false,
    generation: 1,
    key: s.key,
    lastModifiedDate: 1_700_000_000_000,
    name: s.name,
    rules: [],
    tags: [],
    version: s.version,
    included: users(s.included),
    excluded: users(s.excluded),
    includedContexts: contexts(s.included),
    excludedContexts: contexts(s.excluded),
  };
}

function projectRep(p: Project) {
  return {
    _id: `id-${p.key}`,
    _links: {},
    includeInSnippetByDefault: false,
    key: p.key,
    name: p.name,
    tags: [],
  };
}

function environmentRep(e: Environment) {
  return {
    _id: `id-${e.key}`,
    _links: {},
    apiKey: `sdk-${e.key}-secret-0000`,
    mobileKey: `mob-${e.key}-secret-0000`,
    color: '417505',
    confirmChanges: e.critical,
    critical: e.critical,
    defaultTrackEvents: false,
    defaultTtl: 0,
    key: e.key,
    name: e.name,
    requireComments: false,
    secureMode: false,
    tags: [],
    // LaunchDarkly keeps segments' settings apart (`resourceApprovalSettings`); the fake has one switch.
    approvalSettings: approvalSettingsRep(e.approvalSettings),
    resourceApprovalSettings: { segment: approvalSettingsRep(e.approvalSettings) },
  };
}

function contextKindRep(key: string) {
  return {
    key,
    name: key,
    description: '',
    version: 1,
    creationDate: 1_700_000_000_000,
    lastModified: 1_700_000_000_000,
    createdFrom: 'default',
  };
}

const MESSAGES: Record<number, [string, string]> = {
  400: ['invalid_request', 'Invalid request'],
  401: ['unauthorized', 'Invalid access token'],
  403: ['forbidden', 'Access to the requested resource was denied'],
  404: ['not_found', 'Invalid resource identifier'],
  405: ['method_not_allowed', 'This environment requires approvals for this change'],
  409: ['optimistic_locking_error', 'Conflict: the resource changed; retry'],
  422: ['unprocessable_entity', 'Unprocessable entity'],
  429: ['rate_limited', "You've exceeded the API rate limit. Try again later."],
};

/**
 * Answers the self-check leaves alone: a 204 has no body to check, and the fake's simulated
 * approval 405s are on operations whose spec lists no 405.
 */
function outsideTheSpec(status: number, payload: unknown): boolean {
  return (status === 204 && payload === undefined) || isSimulated(payload);
}

export function errorFor(status: number) {
  const [code, message] = MESSAGES[status] ?? ['internal_server_error', 'Internal server error'];
  return { code, message, id: randomUUID() };
}
