import { commentForAll } from '../domain/comment.js';
import { groupBy } from '../domain/group-by.js';
import { type Target, targetLabel } from '../domain/targets.js';
import type { TargetType } from '../domain/vocabulary.js';
import { type BatchSizeFor, chunks } from './batches.js';
import { Coalescer } from './coalesce.js';
import { LdError } from './errors.js';
import type { LdHttp } from './http.js';
import { flagPath, segmentPath } from './paths.js';
import * as schema from './schemas.js';

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

export type FlagTargetsKind = 'addTargets' | 'removeTargets';

export type SegmentTargetsKind =
  | 'addIncludedTargets'
  | 'addExcludedTargets'
  | 'removeIncludedTargets'
  | 'removeExcludedTargets';

/** A targeting change one caller asked for: the instruction kind, on what, for whom. */
interface TargetsPatch<K, I> {
  kind: K;
  input: I;
  comment: string;
}

/**
 * Statuses after which one of several targeting changes sent together may be what LaunchDarkly
 * refused (a key already served another variation): each is then sent alone for its own answer.
 */
const ONE_MAY_BE_AT_FAULT = new Set([400, 409, 422]);

/** Target keys by context kind, in first-seen order. */
function byContextKind(targets: readonly Target[]): Map<string, string[]> {
  return groupBy(
    targets,
    (t) => t.contextKind,
    (t) => t.key,
  );
}

/** The instructions of a targeting change to one flag variation: one per context kind. */
export function flagTargetsInstructions(kind: FlagTargetsKind, input: FlagTargetsInput) {
  return [...byContextKind(input.targets)].map(([contextKind, values]) => ({
    kind,
    variationId: input.variationId,
    contextKind,
    values,
  }));
}

/** The instructions of a targeting change to a segment's list: one per context kind. */
export function segmentTargetsInstructions(kind: SegmentTargetsKind, targets: readonly Target[]) {
  return [...byContextKind(targets)].map(([contextKind, values]) => ({ kind, contextKind, values }));
}

/**
 * Individual targeting on flags and segments, granted before an expiry or removed at once: changes
 * of one kind to the same flag variation or segment asked while one is in flight go together.
 */
export class TargetingPatches {
  constructor(
    private readonly http: LdHttp,
    private readonly batchSizeFor: BatchSizeFor,
    /** The segment as it is, for a change that had no targets to send. */
    private readonly getSegment: (
      projectKey: string,
      environmentKey: string,
      segmentKey: string,
    ) => Promise<schema.SegmentRep>,
  ) {}

  flag(kind: FlagTargetsKind, input: FlagTargetsInput, comment: string): Promise<schema.FlagRep> {
    const key = `${kind} ${input.projectKey}/${input.flagKey} ${input.environmentKey} ${input.variationId}`;
    return this.flagPatches.run(key, { kind, input, comment });
  }

  segment(kind: SegmentTargetsKind, input: SegmentTargetsInput, comment: string): Promise<schema.SegmentRep> {
    const key = `${kind} ${input.projectKey}/${input.segmentKey} ${input.environmentKey}`;
    return this.segmentPatches.run(key, { kind, input, comment });
  }

  private readonly flagPatches = new Coalescer<
    TargetsPatch<FlagTargetsKind, FlagTargetsInput>,
    schema.FlagRep
  >((patches) => this.together(patches, (p) => this.sendFlagTargets(p)));

  private readonly segmentPatches = new Coalescer<
    TargetsPatch<SegmentTargetsKind, SegmentTargetsInput>,
    schema.SegmentRep
  >((patches) => this.together(patches, (p) => this.sendSegmentTargets(p)));

  /**
   * Sends several callers' targeting changes of one kind on one flag or segment as one; when
   * LaunchDarkly refuses that in a way one of them may have caused, sends each alone instead.
   */
  private async together<K, I extends { targets: Target[] }, Out>(
    patches: Array<TargetsPatch<K, I>>,
    send: (patch: TargetsPatch<K, I>) => Promise<Out>,
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

  private sendFlagTargets({
    kind,
    input,
    comment,
  }: TargetsPatch<FlagTargetsKind, FlagTargetsInput>): Promise<schema.FlagRep> {
    const instructions = flagTargetsInstructions(kind, input);
    return this.http.patch(
      flagPath(input.projectKey, input.flagKey),
      { comment, environmentKey: input.environmentKey, instructions },
      schema.flag,
    );
  }

  /** In batches of at most 1,500 keys, LaunchDarkly's limit for a segment. */
  private async sendSegmentTargets({
    kind,
    input,
    comment,
  }: TargetsPatch<SegmentTargetsKind, SegmentTargetsInput>): Promise<schema.SegmentRep> {
    let last: schema.SegmentRep | undefined;
    for (const batch of chunks(input.targets, this.batchSizeFor('segment'))) {
      const instructions = segmentTargetsInstructions(kind, batch);
      last = await this.http.patch(
        segmentPath(input.projectKey, input.environmentKey, input.segmentKey),
        { comment, environmentKey: input.environmentKey, instructions },
        schema.segment,
      );
    }
    return last ?? this.getSegment(input.projectKey, input.environmentKey, input.segmentKey);
  }
}
