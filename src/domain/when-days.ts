import type { ParsingComponents, ParsingContext, ParsingResult } from 'chrono-node';

/** A calendar day with no zone: what the reader's chrono extensions count with. Months are 1–12. */
export interface Day {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;

/** The day a reading names (its implied parts included). */
export function dayOf(result: ParsingResult): Day {
  return {
    year: result.start.get('year')!,
    month: result.start.get('month')!,
    day: result.start.get('day')!,
  };
}

function toUtc(d: Day): number {
  return Date.UTC(d.year, d.month - 1, d.day);
}

function fromUtc(ms: number): Day {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function addDays(d: Day, days: number): Day {
  return fromUtc(toUtc(d) + days * DAY_MS);
}

/** Adds months, clamping to the month's last day (Jan 31 + 1 month is Feb 28 or 29). */
export function addMonths(d: Day, months: number): Day {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

/** 0 = Sunday, as chrono counts. */
export function weekday(d: Day): number {
  return new Date(toUtc(d)).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function compareDays(a: Day, b: Day): number {
  return toUtc(a) - toUtc(b);
}

/** Days from `from` to the next `target` weekday: 0–6 counting today, 1–7 when `strict`. */
export function daysUntil(from: Day, target: number, strict = false): number {
  const ahead = (target - weekday(from) + 7) % 7;
  return strict && ahead === 0 ? 7 : ahead;
}

/** Monday of the week (Monday to Sunday) that holds `d`. */
export function mondayOf(d: Day): Day {
  return addDays(d, -((weekday(d) + 6) % 7));
}

/** Today in the zone chrono was given (its reference carries the person's offset now). */
export function todayOf(context: ParsingContext): Day & { hour: number; minute: number } {
  // chrono's convention: this Date's local getters show the wall clock in the reference zone.
  const ref = context.reference.getDateWithAdjustedTimezone();
  return {
    year: ref.getFullYear(),
    month: ref.getMonth() + 1,
    day: ref.getDate(),
    hour: ref.getHours(),
    minute: ref.getMinutes(),
  };
}

/** Components holding a whole day, certain, so chrono does not move it. */
export function dayComponents(context: ParsingContext, d: Day): ParsingComponents {
  const components = context.createParsingComponents({ year: d.year, month: d.month, day: d.day });
  components.assign('weekday', weekday(d));
  return components;
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const SHORT_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "Fri 20 Nov 2026", for refusals that name two readings. */
export function formatDay(d: Day): string {
  return `${SHORT_WEEKDAYS[weekday(d)]} ${d.day} ${MONTH_NAMES[d.month - 1]!.slice(0, 3)} ${d.year}`;
}

export function monthName(month: number): string {
  return MONTH_NAMES[month - 1]!;
}
