import { wallClockAt, wallClockToInstant } from './time-zone.js';

/**
 * How much later `extend` moves an expiry. Days, weeks and months are calendar steps in the
 * person's zone that keep the clock time (across a DST change too); hours and minutes are
 * elapsed time.
 */
export interface Shift {
  amount: number;
  unit: ShiftUnit;
}

export type ShiftUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

const UNITS: Record<string, ShiftUnit> = {
  m: 'minute',
  min: 'minute',
  mins: 'minute',
  minute: 'minute',
  minutes: 'minute',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  hour: 'hour',
  hours: 'hour',
  d: 'day',
  day: 'day',
  days: 'day',
  w: 'week',
  wk: 'week',
  wks: 'week',
  week: 'week',
  weeks: 'week',
  mo: 'month',
  month: 'month',
  months: 'month',
};

const WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

/** At most what `/expire` accepts for a new expiry: five years ahead. */
const MAX_MONTHS = 60;
const MINUTES_PER: Record<ShiftUnit, number> = {
  minute: 1,
  hour: 60,
  day: 1_440,
  week: 10_080,
  month: 43_830,
};

export const SHIFT_EXAMPLES = '"2 days", "1 week", "36 hours", "90 minutes", "+3d"';

/** What `/expire help` says of a duration. */
export const SHIFT_HELP = `*<duration>* (extend) how much later than each target's current expiry: ${SHIFT_EXAMPLES}. Days, weeks and months keep the clock time in your zone; hours and minutes are elapsed time.`;

export type ShiftParse = { ok: true; shift: Shift } | { ok: false; problem: string };

/** "2 days", "1 week", "36 hours", "a month", "+3d", "by 2 weeks" → a shift. */
export function parseShift(text: string): ShiftParse {
  const clean = text
    .trim()
    .toLowerCase()
    .replace(/^by\s+/, '')
    .replace(/^\+\s*/, '');
  const match = /^(\d+|[a-z]+)\s*([a-z]+)$/.exec(clean);
  const amount = match && (/^\d+$/.test(match[1]!) ? Number(match[1]) : WORDS[match[1]!]);
  const unit = match && UNITS[match[2]!];
  if (!match || !amount || !unit) {
    return {
      ok: false,
      problem: `I read "${text.trim()}" as no duration. Say how much later, e.g. ${SHIFT_EXAMPLES}.`,
    };
  }
  if (amount * MINUTES_PER[unit] > MAX_MONTHS * MINUTES_PER.month) {
    return { ok: false, problem: `${describeShift({ amount, unit })} is more than five years.` };
  }
  return { ok: true, shift: { amount, unit } };
}

/** "2 days", "1 week". */
export function describeShift(shift: Shift): string {
  return `${shift.amount} ${shift.unit}${shift.amount === 1 ? '' : 's'}`;
}

/** The instant `shift` after `ms`, calendar steps taken on the wall clock of `timeZone`. */
export function shiftInstant(ms: number, shift: Shift, timeZone: string): number {
  if (shift.unit === 'minute' || shift.unit === 'hour')
    return ms + shift.amount * MINUTES_PER[shift.unit] * 60_000;
  const wall = wallClockAt(ms, timeZone);
  if (shift.unit === 'month') {
    // Jan 31 + 1 month is the last day of February, not March 3.
    const month = wall.month - 1 + shift.amount;
    const lastDay = new Date(Date.UTC(wall.year, month + 1, 0)).getUTCDate();
    return wallClockToInstant({ ...wall, month: month + 1, day: Math.min(wall.day, lastDay) }, timeZone);
  }
  const days = shift.amount * (shift.unit === 'week' ? 7 : 1);
  return wallClockToInstant({ ...wall, day: wall.day + days }, timeZone);
}
