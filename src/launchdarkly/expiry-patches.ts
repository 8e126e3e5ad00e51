import { commentForAll } from '../domain/comment.js';
import { targetLabel } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import { type BatchSizeFor, chunks } from './batches.js';
import { Coalescer } from './coalesce.js';
import { LdError } from './errors.js';
import { CONTEXT_TARGETS, type ExpiringEndpoint, USER_TARGETS } from './expiring-targets.js';
import type { LdHttp } from './http.js';
import { type ExpiryChange, isUser } from './instructions.js';
import { type ChangeOutcome, outcomesFromAnswer } from './outcomes.js';
import { expiringPath } from './paths.js';

export interface PatchProgress {
  done: number;
  total: number;
}

export interface ExpiryPatchResult {
  /** One per change, in the order given. */
  outcomes: ChangeOutcome[];
}

/** Expiry changes one caller asked for on one flag or segment. */
interface ExpiryPatch {
  ref: ResourceRef;
  changes: readonly ExpiryChange[];
  comment: string;
  onProgress: ((progress: PatchProgress) => void) | undefined;
}

const resourceKey = (ref: ResourceRef) => `${ref.kind} ${ref.projectKey}/${ref.key} ${ref.environmentKey}`;

/**
 * The expiry changes callers send to flags and segments: those to the same flag or segment asked
 * while one is in flight go together in the next request, in the order asked, and each caller hears
 * its own outcomes and progress.
 */
export class ExpiryPatches {
  constructor(
    private readonly http: LdHttp,
    private readonly batchSizeFor: BatchSizeFor,
  ) {}

  send(
    ref: ResourceRef,
    changes: readonly ExpiryChange[],
    comment: string,
    onProgress: ((progress: PatchProgress) => void) | undefined,
  ): Promise<ExpiryPatchResult> {
    return this.patches.run(resourceKey(ref), { ref, changes, comment, onProgress });
  }

  private readonly patches = new Coalescer<ExpiryPatch, ExpiryPatchResult>(
    async (patches) => {
      const all = patches.flatMap((p, owner) => p.changes.map((change) => ({ change, owner })));
      const done = patches.map(() => 0);
      const { outcomes, stopped } = await this.sendChanges(
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
  private async sendChanges(
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

  private sendBatch(
    ref: ResourceRef,
    changes: ExpiryChange[],
    user: boolean,
    comment: string,
  ): Promise<ChangeOutcome[]> {
    return user
      ? this.sendTo(USER_TARGETS, ref, changes, comment)
      : this.sendTo(CONTEXT_TARGETS, ref, changes, comment);
  }

  private async sendTo<Item>(
    endpoint: ExpiringEndpoint<Item>,
    ref: ResourceRef,
    changes: ExpiryChange[],
    comment: string,
  ): Promise<ChangeOutcome[]> {
    const instructions = changes.map((c) => endpoint.instruction(ref.kind, c));
    const path = expiringPath(ref, endpoint.path);
    const answer = await this.http.patch(path, { comment, instructions }, endpoint.patchAnswer);
    return outcomesFromAnswer(changes, answer.errors, answer.items?.map(endpoint.target));
  }
}
