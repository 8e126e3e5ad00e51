import type { LdError } from './errors.js';
import type { ExpiryChange } from './instructions.js';

/** A target's expiry as LaunchDarkly holds it, users and other contexts alike. */
export interface ExpiringTarget {
  id: string;
  version: number;
  expirationDate: number;
  contextKind: string;
  key: string;
  variationId?: string;
  targetType?: 'included' | 'excluded';
}

export type ChangeOutcome =
  | { change: ExpiryChange; ok: true }
  /** `error` is set when the whole request failed (or was never sent), not one instruction. */
  | { change: ExpiryChange; ok: false; message: string; error?: LdError };

export interface InstructionError {
  instructionIndex: number;
  message: string;
}

/**
 * Turns a 200 answer's `errors[]` into one outcome per change, in the caller's order.
 *
 * Whether `instructionIndex` counts from 0 or 1 is undocumented. When only one reading keeps
 * every index in range it is taken; when both do, the one that agrees with the `items` in the
 * answer (an applied add/update shows the new date there, an applied remove is gone) wins, and
 * 0-based breaks a tie. An error that fits no instruction is reported on the first
 * change the answer shows was not applied, so no failure is ever dropped.
 */
export function outcomesFromAnswer(
  changes: readonly ExpiryChange[],
  errors: readonly InstructionError[] | undefined,
  items: readonly ExpiringTarget[] | undefined,
): ChangeOutcome[] {
  const failures = new Map<number, string>();
  if (errors && errors.length > 0) {
    const base = indexBase(changes, errors, items);
    const unplaced: string[] = [];
    for (const error of errors) {
      const index = base === undefined ? -1 : error.instructionIndex - base;
      if (index >= 0 && index < changes.length) appendFailure(failures, index, error.message);
      else unplaced.push(error.message);
    }
    for (const message of unplaced) {
      const index = changes.findIndex((c, i) => !failures.has(i) && applied(c, items) === false);
      appendFailure(failures, Math.max(index, 0), message);
    }
  }
  return changes.map((change, i) => {
    const message = failures.get(i);
    return message === undefined ? { change, ok: true } : { change, ok: false, message };
  });
}

function appendFailure(failures: Map<number, string>, index: number, message: string) {
  const previous = failures.get(index);
  failures.set(index, previous ? `${previous}; ${message}` : message);
}

function indexBase(
  changes: readonly ExpiryChange[],
  errors: readonly InstructionError[],
  items: readonly ExpiringTarget[] | undefined,
): 0 | 1 | undefined {
  const fits = (base: 0 | 1) =>
    errors.every((e) => e.instructionIndex - base >= 0 && e.instructionIndex - base < changes.length);
  const candidates = ([0, 1] as const).filter(fits);
  if (candidates.length < 2) return candidates[0];
  const contradictions = (base: 0 | 1) =>
    errors.filter((e) => applied(changes[e.instructionIndex - base]!, items) === true).length;
  return contradictions(1) < contradictions(0) ? 1 : 0;
}

/** Whether the answer's items show the change as applied; undefined when they cannot tell. */
function applied(change: ExpiryChange, items: readonly ExpiringTarget[] | undefined): boolean | undefined {
  if (!items) return undefined;
  const found = items.find(
    (t) =>
      t.key === change.key &&
      t.contextKind === change.contextKind &&
      (change.variationId === undefined ||
        t.variationId === undefined ||
        t.variationId === change.variationId) &&
      (change.targetType === undefined || t.targetType === undefined || t.targetType === change.targetType),
  );
  if (change.op === 'remove') return found === undefined;
  return found !== undefined && found.expirationDate === change.value;
}
