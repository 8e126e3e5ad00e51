import { DateTime } from 'luxon';
import { type WallClock, wallClockAt, wallClockToInstant } from './time-zone.js';
import { formatLocal } from './when-format.js';
import type { Reading } from './when-parse-kit.js';

/** Durations from now: "in 2 weeks", "in 36 hours", "+2d", "2w", "in 3 days at 5pm". */

type Unit = 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'years';
const UNIT_NAMES: Record<Unit, string[]> = {
  minutes: ['m', 'min', 'mins', 'minute', 'minutes'],
  hours: ['h', 'hr', 'hrs', 'hour', 'hours'],
  days: ['d', 'day', 'days'],
  weeks: ['w', 'wk', 'wks', 'week', 'weeks', 'fortnight', 'fortnights'],
  months: ['mo', 'mos', 'month', 'months'],
  years: ['y', 'yr', 'yrs', 'year', 'years'],
};
const UNITS: Record<string, Unit> = Object.fromEntries(
  Object.entries(UNIT_NAMES).flatMap(([unit, names]) => names.map((name) => [name, unit as Unit])),
);

const NUMBER_WORDS: Record<string, number> = {
  'a couple of': 2,
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const WORD = Object.keys(NUMBER_WORDS).join('|');
const UNIT = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .join('|');
/** "2 weeks", "36h", "a week": digits may touch the unit, words may not ("and" is not "an d"). */
const AMOUNT_UNIT = String.raw`(?:(${NUMBER})\s*|\b(${WORD})\s+)(${UNIT})(?![a-z])`;
const PART = new RegExp(AMOUNT_UNIT, 'g');
const SEPARATOR = String.raw`(?:\s*,\s*|\s+and\s+|\s*)`;
const RELATIVE = new RegExp(
  String.raw`^(?:in\s+|\+\s*)?((?:${AMOUNT_UNIT.replace(/\((?!\?)/g, '(?:')}${SEPARATOR})+?)(?:'s\s+time|'\s+time|\s+time)?(?:\s*from\s+(?:right\s+)?now|\s+hence)?(?:\s+at\s+(.+))?$`,
);

type Read = Reading | { reason: string } | undefined;

/** A duration from now; "today in two hours" and "in 20 minutes today" must still fall today. */
export function readRelative(phrase: string, now: Date, zone: string): Read {
  const today = /^today,?\s+(in\s+.+)$|^(in\s+.+?),?\s+today$/.exec(phrase);
  if (!today) return readDuration(phrase, now, zone);
  const reading = readDuration(today[1] ?? today[2]!, now, zone);
  if (!reading || 'reason' in reading) return reading;
  if (wallClockAt(reading.ms, zone).day !== wallClockAt(now.getTime(), zone).day)
    return {
      reason: `"${phrase}" is ${formatLocal(reading.ms, zone)}, which is not today; say one or the other.`,
    };
  return { ...reading, understood: phrase };
}

function readDuration(phrase: string, now: Date, zone: string): Read {
  // Alone, "15h" is a clock time (15:00) to many; chrono's extensions decide what "Nh" means.
  if (/^\d{1,2}(?:[.:]\d{2})?\s*h$/.test(phrase) && Number.parseInt(phrase, 10) < 24) return undefined;
  // …and "1500 hrs" is 15:00 in military writing.
  if (/^\d{4}\s*(?:h|hrs?|hours)$/.test(phrase) && Number.parseInt(phrase, 10) % 100 < 60) return undefined;
  const normalized = phrase
    .replace(/^in half an hour$/, 'in 30 minutes')
    .replace(/^half an hour$/, '30 minutes');
  const match = RELATIVE.exec(normalized);
  if (!match) return undefined;
  const amounts = { minutes: 0, hours: 0, days: 0, weeks: 0, months: 0, years: 0 };
  for (const [, digits, word, unit] of match[1]!.matchAll(PART)) {
    const amount = digits ?? word!;
    const n = NUMBER_WORDS[amount] ?? Number(amount);
    const key = UNITS[unit!]!;
    const factor = unit!.startsWith('fortnight') ? 2 : 1;
    if (!Number.isInteger(n) && key !== 'hours' && key !== 'minutes') {
      const smaller = {
        days: 'hours, e.g. "in 36 hours"',
        weeks: 'days, e.g. "in 10 days"',
        months: 'weeks or days, e.g. "in 6 weeks"',
        years: 'months, e.g. "in 18 months"',
      }[key as 'days' | 'weeks' | 'months' | 'years'];
      return { reason: `I can't count "${amount} ${unit}" in whole ${key}; use ${smaller}.` };
    }
    amounts[key] += n * factor;
  }
  const calendar = { years: amounts.years, months: amounts.months, weeks: amounts.weeks, days: amounts.days };
  const elapsedMs = (amounts.hours * 60 + amounts.minutes) * 60_000;
  const atText = match[2];
  if (atText && elapsedMs > 0)
    return { reason: `"${phrase}" mixes hours with a time of day; say one or the other.` };

  let ms: number;
  if (Object.values(calendar).some((v) => v > 0)) {
    // Days, weeks, months and years move the calendar and keep the clock time (clamping Oct 31 +
    // 1 month to Nov 30); hours and minutes are elapsed time.
    const wall = wallClockAt(now.getTime(), zone);
    const moved = DateTime.fromObject(
      {
        year: wall.year,
        month: wall.month,
        day: wall.day,
        hour: wall.hour,
        minute: wall.minute,
        second: wall.second,
      },
      { zone: 'UTC' },
    ).plus(calendar);
    const target: WallClock = {
      year: moved.year,
      month: moved.month,
      day: moved.day,
      hour: moved.hour,
      minute: moved.minute,
      second: moved.second,
    };
    if (atText) {
      const clock = readClock(atText);
      if ('reason' in clock) return clock;
      target.hour = clock.hour;
      target.minute = clock.minute;
      target.second = 0;
    }
    ms = wallClockToInstant(target, zone) + now.getMilliseconds() * (atText ? 0 : 1) + elapsedMs;
  } else {
    if (atText) return { reason: `"${phrase}" needs days or weeks before "at ${atText}".` };
    ms = now.getTime() + elapsedMs;
  }
  if (ms === now.getTime()) return { reason: `"${phrase}" is no time from now.` };
  return { ms, understood: phrase };
}

/** "5pm", "17:00", "9:30am", "noon", "midnight". A bare "5" is refused: am or pm? */
function readClock(text: string): { hour: number; minute: number } | { reason: string } {
  const t = text.trim().toLowerCase();
  if (t === 'noon' || t === 'midday') return { hour: 12, minute: 0 };
  if (t === 'midnight') return { hour: 0, minute: 0 };
  const match = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/.exec(t);
  if (!match) return { reason: `I couldn't read "${text}" as a time of day; try "5pm" or "17:00".` };
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  const meridiem = match[3]?.[0];
  if (!meridiem && match[2] === undefined && hour >= 1 && hour <= 12) {
    return {
      reason: `"${text}" could be ${hour}am or ${hour}pm; add am or pm, or write ${String(hour).padStart(2, '0')}:00.`,
    };
  }
  if (meridiem && (hour < 1 || hour > 12)) return { reason: `"${text}" is not a time of day.` };
  if (meridiem === 'p' && hour !== 12) hour += 12;
  if (meridiem === 'a' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return { reason: `"${text}" is not a time of day.` };
  return { hour, minute };
}
