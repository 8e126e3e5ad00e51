import type { ChangeRequest } from './change-request.js';
import { describeShift, parseShift, SHIFT_HELP } from './shift.js';
import { VERBS, type Verb, type VerbSpec } from './vocabulary.js';
import { parseWhen } from './when.js';
import { formatUtc, slackDate } from './when-format.js';

export type Timing = Pick<ChangeRequest, 'expiresAt' | 'extendBy'>;

/** `/expire help`'s words for each kind of argument a verb may take besides a time (told apart). */
export const ARGUMENT_HELP: Partial<Record<VerbSpec['takes'], string>> = { duration: SHIFT_HELP };

/**
 * The words after the targets, read as the verb wants them: an instant ("next friday 5pm"), a
 * duration ("2 days"), or nothing; in the asker's zone. A problem is a sentence for them.
 */
export function readTiming(
  verb: Verb,
  text: string,
  context: { now: Date; timeZone: string },
): { ok: true; timing: Timing } | { ok: false; problem: string } {
  switch (VERBS[verb].takes) {
    case 'when': {
      const when = parseWhen(text, context);
      return when.ok ? { ok: true, timing: { expiresAt: when.ms } } : { ok: false, problem: when.reason };
    }
    case 'duration': {
      const shift = parseShift(text);
      return shift.ok
        ? { ok: true, timing: { extendBy: { shift: shift.shift, timeZone: context.timeZone } } }
        : { ok: false, problem: shift.problem };
    }
    default:
      return { ok: true, timing: {} };
  }
}

/** How the new expiry reads after "scheduled 2 targets on flag x": " to expire …", " by 2 days", or "". */
export function describeTiming(request: Timing): string {
  if (request.extendBy) return ` by ${describeShift(request.extendBy.shift)}`;
  if (request.expiresAt !== undefined)
    return ` to expire ${slackDate(request.expiresAt)} (${formatUtc(request.expiresAt)})`;
  return '';
}
