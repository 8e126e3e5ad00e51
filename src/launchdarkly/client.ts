import type { z } from 'zod';
import { commentForAll } from '../domain/comment.js';
import { groupBy } from '../domain/group-by.js';
import { type Target, targetLabel } from '../domain/targets.js';
import type { ResourceKind, ResourceRef, TargetType } from '../domain/vocabulary.js';
import { type AuditEntry, auditLogPage, environmentSpecifiers, toAuditEntry } from './audit-log.js';
import { Coalescer } from './coalesce.js';
import { LdError } from './errors.js';
import { LdHttp, type LdHttpOptions } from './http.js';
import { contextInstruction, type ExpiryChange, isUser, userInstruction } from './instructions.js';
import { type ChangeOutcome, type ExpiringTarget, outcomesFromAnswer } from './outcomes.js';
import * as schema from './schemas.js';

/** LaunchDarkly rejects segment target operations above 1,500 per request. */
export const SEGMENT_BATCH_LIMIT = 1_500;
/** No documented limit for flags; 500 keeps each request small and a failure's blast radius too. */
export const DEFAULT_BATCH_SIZE = 500;

export interface LaunchDarklyClientOptions extends LdHttpOptions {
  batchSize?: number;
}

export interface PatchProgress {
  done: number;
  total: number;
}

export interface ExpiryPatchResult {
  /** One per change, in the order given. */
  outcomes: ChangeOutcome[];
}

export type TargetRef = Target;

/** A flag or segment in a list, and whether it individually targets anyone in the environment. */
export interface ListedResource {
  key: string;
  name: string;
  /** undefined: the list did not say (read its expiring targets to know). */
  targeted: boolean | undefined;
}

export interface ListPage {
  items: ListedResource[];
  total: number | undefined;
  /** The offset of the next page; undefined on the last. */
  nextOffset: number | undefined;
}

/** LaunchDarkly's largest page for flag and segment lists. */
export const LIST_PAGE_SIZE = 100;
/** The audit log's largest page. */
export const AUDIT_PAGE_SIZE = 20;

export interface FlagTargetsInput {
  projectKey: string;
  flagKey: string;
  environmentKey: string;
  variationId: string;
  targets: Target[];
}

export interface SegmentTargetsInput {
  projectKey: string;
  environmentKey: string;
  segmentKey: string;
  targetType: TargetType;
  targets: Target[];
}

const seg = encodeURIComponent;

/** Expiry changes one caller asked for on one flag or segment. */
interface ExpiryPatch {
  ref: ResourceRef;
  changes: readonly ExpiryChange[];
  comment: string;
  onProgress: ((progress: PatchProgress) => void) | undefined;
}

/** A targeting change one caller asked for: the instruction kind, on what, for whom. */
interface TargetsPatch<I> {
  kind: string;
  input: I;
  comment: string;
}

const resourceKey = (ref: ResourceRef) => `${ref.kind} ${ref.projectKey}/${ref.key} ${ref.environmentKey}`;

/**
 * Statuses after which one of several targeting changes sent together may be what LaunchDarkly
 * refused (a key already served another variation): each is then sent alone for its own answer.
 */
const ONE_MAY_BE_AT_FAULT = new Set([400, 409, 422]);

function expiringPath(ref: ResourceRef, endpoint: 'expiring-user-targets' | 'expiring-targets'): string {
  const collection = ref.kind === 'flag' ? 'flags' : 'segments';
  return `/api/v2/${collection}/${seg(ref.projectKey)}/${seg(ref.key)}/${endpoint}/${seg(ref.environmentKey)}`;
}

function fromUserItem(item: z.output<typeof schema.expiringUserTargetItem>): ExpiringTarget {
  return {
    id: item._id,
    version: item._version,
    expirationDate: item.expirationDate,
    contextKind: 'user',
    key: item.userKey,
    variationId: item.variationId,
    targetType: item.targetType,
  };
}

function fromContextItem(item: z.output<typeof schema.expiringContextTargetItem>): ExpiringTarget {
  return {
    id: item._id,
    version: item._version,
    expirationDate: item.expirationDate,
    contextKind: item.contextKind,
    key: item.contextKey,
    variationId: item.variationId,
    targetType: item.targetType,
  };
}

/** Target keys by context kind, in first-seen order. */
function byContextKind(targets: readonly Target[]): Map<string, string[]> {
  return groupBy(
    targets,
    (t) => t.contextKind,
    (t) => t.key,
  );
}

function page(
  items: ListedResource[],
  offset: number,
  total: number | undefined,
  hasNext: boolean,
): ListPage {
  const end = offset + items.length;
  const more = items.length > 0 && (hasNext || (total !== undefined && end < total));
  return { items, total, nextOffset: more ? end : undefined };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * LaunchDarkly's REST API as the bot uses it: expiring targets on flags and segments, the grants
 * that must precede them, and the reads the pickers need. Every answer is parsed with zod; every
 * failure is an LdError subclass.
 */
export class LaunchDarklyClient {
  private readonly http: LdHttp;
  private readonly batchSize: number;

  constructor(options: LaunchDarklyClientOptions) {
    this.http = new LdHttp(options);
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  private batchSizeFor(kind: ResourceKind): number {
    return kind === 'segment' ? Math.min(this.batchSize, SEGMENT_BATCH_LIMIT) : this.batchSize;
  }

  // ── Expiring targets ────────────────────────────────────────────────────────────────────────

  async getExpiringUserTargets(ref: ResourceRef): Promise<ExpiringTarget[]> {
    const path = expiringPath(ref, 'expiring-user-targets');
    const answer = await this.read(path, () => this.http.get(path, schema.expiringUserTargetsResponse));
    return answer.items.map(fromUserItem);
  }

  async getExpiringContextTargets(ref: ResourceRef): Promise<ExpiringTarget[]> {
    const path = expiringPath(ref, 'expiring-targets');
    const answer = await this.read(path, () => this.http.get(path, schema.expiringContextTargetsResponse));
    return answer.items.map(fromContextItem);
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
    const seen = new Map<string, ExpiringTarget>();
    for (const t of [...users, ...contexts]) {
      const id = `${t.contextKind}:${t.key}:${t.variationId ?? t.targetType ?? ''}`;
      if (!seen.has(id)) seen.set(id, t);
    }
    return [...seen.values()].sort((a, b) => a.expirationDate - b.expirationDate);
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
    return this.expiryPatches.run(resourceKey(ref), { ref, changes, comment, onProgress });
  }

  private readonly expiryPatches = new Coalescer<ExpiryPatch, ExpiryPatchResult>(
    async (patches) => {
      const all = patches.flatMap((p, owner) => p.changes.map((change) => ({ change, owner })));
      const done = patches.map(() => 0);
      const { outcomes, stopped } = await this.sendExpiryChanges(
        patches[0]!.ref,
        all.map((c) => c.change),
        commentForAll(patches.map((p) => p.comment)),
        (indexes) => {
          const owners = new Set(indexes.map((i) => all[i]!.owner));
          for (const i of indexes) done[all[i]!.owner]!++;
          for (const owner of owners) {
            const patch = patches[owner]!;
            patch.onProgress?.({ done: done[owner]!, total: patch.changes.length });
          }
        },
      );
      const byOwner = patches.map((): ChangeOutcome[] => []);
      for (const [i, outcome] of outcomes.entries()) byOwner[all[i]!.owner]!.push(outcome);
      return byOwner.map((own) => (stopped && own.every((o) => !o.ok) ? stopped : { outcomes: own }));
    },
    {
      // At most one batch of changes, and no target twice: its second change waits for the next.
      admit: () => {
        let count = 0;
        const touched = new Set<string>();
        return (next) => {
          const labels = next.changes.map(targetLabel);
          const over = count > 0 && count + labels.length > this.batchSizeFor(next.ref.kind);
          if (over || labels.some((label) => touched.has(label))) return false;
          count += labels.length;
          for (const label of labels) touched.add(label);
          return true;
        };
      },
    },
  );

  /** Sends in batches; `onBatch` hears the indexes of each batch sent. A failed request stops the rest. */
  private async sendExpiryChanges(
    ref: ResourceRef,
    changes: readonly ExpiryChange[],
    comment: string,
    onBatch: (indexes: number[]) => void,
  ): Promise<{ outcomes: ChangeOutcome[]; stopped: LdError | undefined }> {
    const outcomes = new Array<ChangeOutcome>(changes.length);
    const indexed = changes.map((change, index) => ({ change, index }));
    const users = indexed.filter((c) => isUser(c.change));
    const contexts = indexed.filter((c) => !isUser(c.change));
    const batches = [
      ...chunks(users, this.batchSizeFor(ref.kind)).map((batch) => ({ batch, user: true })),
      ...chunks(contexts, this.batchSizeFor(ref.kind)).map((batch) => ({ batch, user: false })),
    ];
    let stopped: LdError | undefined;
    for (const { batch, user } of batches) {
      const batchChanges = batch.map((c) => c.change);
      let results: ChangeOutcome[];
      if (stopped) {
        results = batchChanges.map((change) => ({
          change,
          ok: false,
          message: stopped!.message,
          error: stopped,
        }));
      } else {
        try {
          results = await this.sendBatch(ref, batchChanges, user, comment);
        } catch (error) {
          if (!(error instanceof LdError)) throw error;
          // A failed request stops the rest: the same token, key or limit would fail them too.
          stopped = error;
          results = batchChanges.map((change) => ({ change, ok: false, message: error.message, error }));
        }
      }
      batch.forEach((c, i) => {
        outcomes[c.index] = results[i]!;
      });
      onBatch(batch.map((c) => c.index));
    }
    return { outcomes, stopped };
  }

  private async sendBatch(
    ref: ResourceRef,
    changes: ExpiryChange[],
    user: boolean,
    comment: string,
  ): Promise<ChangeOutcome[]> {
    if (user) {
      const instructions = changes.map((c) => userInstruction(ref.kind, c));
      const answer = await this.http.patch(
        expiringPath(ref, 'expiring-user-targets'),
        { comment, instructions },
        schema.expiringUserTargetsPatchResponse,
      );
      return outcomesFromAnswer(changes, answer.errors, answer.items?.map(fromUserItem));
    }
    const instructions = changes.map((c) => contextInstruction(ref.kind, c));
    const answer = await this.http.patch(
      expiringPath(ref, 'expiring-targets'),
      { comment, instructions },
      schema.expiringContextTargetsPatchResponse,
    );
    return outcomesFromAnswer(changes, answer.errors, answer.items?.map(fromContextItem));
  }

  // ── Individual targeting: granted before an expiry, or removed at once ────────────────────

  /** Adds targets to a flag's individual targeting on one variation (`addTargets`, one per kind). */
  grantFlagTargets(input: FlagTargetsInput, comment: string): Promise<schema.FlagRep> {
    return this.patchFlagTargets('addTargets', input, comment);
  }

  /** Takes targets out of a flag's individual targeting on one variation (`removeTargets`). */
  removeFlagTargets(input: FlagTargetsInput, comment: string): Promise<schema.FlagRep> {
    return this.patchFlagTargets('removeTargets', input, comment);
  }

  /** Includes or excludes targets in a segment, in batches of at most 1,500 keys. */
  grantSegmentTargets(input: SegmentTargetsInput, comment: string): Promise<schema.SegmentRep> {
    const kind = input.targetType === 'included' ? 'addIncludedTargets' : 'addExcludedTargets';
    return this.patchSegmentTargets(kind, input, comment);
  }

  /** Takes targets out of a segment's included or excluded list. */
  removeSegmentTargets(input: SegmentTargetsInput, comment: string): Promise<schema.SegmentRep> {
    const kind = input.targetType === 'included' ? 'removeIncludedTargets' : 'removeExcludedTargets';
    return this.patchSegmentTargets(kind, input, comment);
  }

  private patchFlagTargets(
    kind: 'addTargets' | 'removeTargets',
    input: FlagTargetsInput,
    comment: string,
  ): Promise<schema.FlagRep> {
    const key = `${kind} ${input.projectKey}/${input.flagKey} ${input.environmentKey} ${input.variationId}`;
    return this.flagTargetPatches.run(key, { kind, input, comment });
  }

  private patchSegmentTargets(
    kind: string,
    input: SegmentTargetsInput,
    comment: string,
  ): Promise<schema.SegmentRep> {
    const key = `${kind} ${input.projectKey}/${input.segmentKey} ${input.environmentKey}`;
    return this.segmentTargetPatches.run(key, { kind, input, comment });
  }

  private readonly flagTargetPatches = new Coalescer<TargetsPatch<FlagTargetsInput>, schema.FlagRep>(
    (patches) => this.together(patches, (p) => this.sendFlagTargets(p)),
  );

  private readonly segmentTargetPatches = new Coalescer<TargetsPatch<SegmentTargetsInput>, schema.SegmentRep>(
    (patches) => this.together(patches, (p) => this.sendSegmentTargets(p)),
  );

  /**
   * Sends several callers' targeting changes of one kind on one flag or segment as one; when
   * LaunchDarkly refuses that in a way one of them may have caused, sends each alone instead.
   */
  private async together<I extends { targets: Target[] }, Out>(
    patches: Array<TargetsPatch<I>>,
    send: (patch: TargetsPatch<I>) => Promise<Out>,
  ): Promise<Array<Out | Error>> {
    const first = patches[0]!;
    if (patches.length === 1) return [await send(first)];
    const targets = [
      ...new Map(patches.flatMap((p) => p.input.targets).map((t) => [targetLabel(t), t])).values(),
    ];
    try {
      const out = await send({
        kind: first.kind,
        input: { ...first.input, targets },
        comment: commentForAll(patches.map((p) => p.comment)),
      });
      return patches.map(() => out);
    } catch (error) {
      if (!(error instanceof LdError) || !ONE_MAY_BE_AT_FAULT.has(error.status ?? 0)) throw error;
      return Promise.all(
        patches.map((patch) =>
          send(patch).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
        ),
      );
    }
  }

  private sendFlagTargets({ kind, input, comment }: TargetsPatch<FlagTargetsInput>): Promise<schema.FlagRep> {
    const instructions = [...byContextKind(input.targets)].map(([contextKind, values]) => ({
      kind,
      variationId: input.variationId,
      contextKind,
      values,
    }));
    return this.http.patch(
      `/api/v2/flags/${seg(input.projectKey)}/${seg(input.flagKey)}`,
      { comment, environmentKey: input.environmentKey, instructions },
      schema.flag,
    );
  }

  private async sendSegmentTargets({
    kind,
    input,
    comment,
  }: TargetsPatch<SegmentTargetsInput>): Promise<schema.SegmentRep> {
    let last: schema.SegmentRep | undefined;
    for (const batch of chunks(input.targets, this.batchSizeFor('segment'))) {
      const instructions = [...byContextKind(batch)].map(([contextKind, values]) => ({
        kind,
        contextKind,
        values,
      }));
      last = await this.http.patch(
        `/api/v2/segments/${seg(input.projectKey)}/${seg(input.environmentKey)}/${seg(input.segmentKey)}`,
        { comment, environmentKey: input.environmentKey, instructions },
        schema.segment,
      );
    }
    return last ?? this.getSegment(input.projectKey, input.environmentKey, input.segmentKey);
  }

  // ── Reads for watching (PRODUCT §7) ─────────────────────────────────────────────────────────

  /**
   * One page of a project's flags with their individual targets in `environmentKey`. An expiring
   * target needs the target to be individually targeted, so a flag that targets nobody there has
   * none to read.
   */
  async listFlagsPage(projectKey: string, environmentKey: string, offset: number, limit = LIST_PAGE_SIZE) {
    const answer = await this.http.get(`/api/v2/flags/${seg(projectKey)}`, schema.flagPage, {
      env: environmentKey,
      summary: 0,
      limit,
      offset,
    });
    const items = answer.items.map((f) => {
      const env = f.environments?.[environmentKey];
      const lists = [env?.targets, env?.contextTargets].filter((l) => Array.isArray(l));
      const targeted =
        lists.length === 0 ? undefined : lists.some((l) => l!.some((t) => t.values.length > 0));
      return { key: f.key, name: f.name, targeted };
    });
    return page(items, offset, answer.totalCount, answer._links?.next?.href !== undefined);
  }

  /** One page of an environment's segments, each saying whether it includes or excludes anyone. */
  async listSegmentsPage(projectKey: string, environmentKey: string, offset: number, limit = LIST_PAGE_SIZE) {
    const answer = await this.http.get(
      `/api/v2/segments/${seg(projectKey)}/${seg(environmentKey)}`,
      schema.segmentPage,
      { limit, offset },
    );
    const items = answer.items.map((s) => {
      const users = [s.included, s.excluded].filter((l) => Array.isArray(l)) as string[][];
      const contexts = [s.includedContexts, s.excludedContexts].filter((l) => Array.isArray(l));
      const known = !s.unbounded && users.length + contexts.length > 0;
      const any =
        users.some((l) => l.length > 0) || contexts.some((l) => l!.some((c) => (c.values?.length ?? 0) > 0));
      return { key: s.key, name: s.name, targeted: any ? true : known ? false : undefined };
    });
    return page(items, offset, answer.totalCount, answer._links?.next?.href !== undefined);
  }

  /**
   * Audit-log entries about the flags and segments of one environment that came after `after`
   * (Unix ms, exclusive), newest first: one `POST /api/v2/auditlog` carries both resource
   * specifiers; further pages follow `_links.next`, at most `maxPages` of them.
   */
  async searchAuditLog(
    projectKey: string,
    environmentKey: string,
    after: number | undefined,
    maxPages = 50,
  ): Promise<AuditEntry[]> {
    const body = [
      { effect: 'allow', resources: environmentSpecifiers(projectKey, environmentKey), actions: ['*'] },
    ];
    const entries: AuditEntry[] = [];
    let path = '/api/v2/auditlog';
    let query: Record<string, string | number | undefined> = { limit: AUDIT_PAGE_SIZE, after };
    for (let pageNo = 0; pageNo < maxPages; pageNo++) {
      const answer = await this.http.search(path, body, auditLogPage, query);
      entries.push(...answer.items.map(toAuditEntry));
      const next = answer._links?.next?.href;
      if (!next || answer.items.length === 0) break;
      // Only the path and query of the link are followed: never another host.
      const url = new URL(next, 'http://launchdarkly.invalid');
      path = url.pathname;
      query = Object.fromEntries(url.searchParams);
    }
    return entries;
  }

  // ── Reads for pickers and checks ───────────────────────────────────────────────────────────

  listEnvironments(projectKey: string, limit = 100) {
    return this.http
      .get(`/api/v2/projects/${seg(projectKey)}/environments`, schema.environmentList, { limit })
      .then((a) => a.items);
  }

  /** Text search on flag key and name. */
  searchFlags(projectKey: string, text: string, limit = 20) {
    const filter = text.trim() ? `query:${text.trim()}` : undefined;
    return this.http
      .get(`/api/v2/flags/${seg(projectKey)}`, schema.flagList, { filter, limit, summary: true })
      .then((a) => a.items);
  }

  /** One flag with its variations and, for `environmentKey`, its individual targets. */
  getFlag(projectKey: string, flagKey: string, environmentKey: string) {
    const path = `/api/v2/flags/${seg(projectKey)}/${seg(flagKey)}`;
    return this.read(`${path}?env=${seg(environmentKey)}`, () =>
      this.http.get(path, schema.flag, { env: environmentKey }),
    );
  }

  searchSegments(projectKey: string, environmentKey: string, text: string, limit = 20) {
    const filter = text.trim() ? `query equals "${text.trim().replace(/"/g, '')}"` : undefined;
    return this.http
      .get(`/api/v2/segments/${seg(projectKey)}/${seg(environmentKey)}`, schema.segmentList, {
        filter,
        limit,
      })
      .then((a) => a.items);
  }

  getSegment(projectKey: string, environmentKey: string, segmentKey: string) {
    const path = `/api/v2/segments/${seg(projectKey)}/${seg(environmentKey)}/${seg(segmentKey)}`;
    return this.read(path, () => this.http.get(path, schema.segment));
  }

  /** Which token and member the bot acts as. */
  getCallerIdentity() {
    return this.http.get('/api/v2/caller-identity', schema.callerIdentity);
  }
}
