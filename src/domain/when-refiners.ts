import type { ParsingResult, Refiner } from 'chrono-node';
import { Meridiem } from 'chrono-node';
import {
  addDays,
  addMonths,
  compareDays,
  type Day,
  dayComponents,
  dayOf,
  daysInMonth,
  daysUntil,
  formatDay,
  monthName,
  todayOf,
  weekday,
} from './when-days.js';
import { Refusal } from './when-parse-kit.js';
import { hourInPart, type Part } from './when-parsers-clock.js';
import { zoneAbbreviation, zoneOnTheDay } from './when-refiners-zones.js';
import { NUMBER_WORD, numberOf, ordinal, WEEKDAY, WEEKDAY_NAMES } from './when-words.js';

/**
 * Custom chrono refiners: they see every reading together, after chrono's own merging, and
 * either complete a reading ("a week from friday", "tomorrow morning at 9") or refuse one that
 * would otherwise be silently wrong (a weekday that contradicts its date, PST in July).
 */

/** "2 days from today", "a week from tomorrow", "3 weeks after friday", "a week before Dec 24". */
const DURATION = new RegExp(
  `^(\\d{1,3}|${NUMBER_WORD}|an?|one|a\\s+couple\\s+of)\\s+(days?|weeks?|fortnights?|months?|years?)$`,
  'i',
);

export const durationFromDate: Refiner = {
  refine(context, results) {
    const out: ParsingResult[] = [];
    for (let i = 0; i < results.length; i++) {
      const current = results[i]!;
      const next = results[i + 1];
      const between = next ? context.text.slice(current.index + current.text.length, next.index) : '';
      const amount = DURATION.exec(current.text.trim());
      // "a week from friday", "a week on friday", "a week today".
      const direction = /^\s+(?:(from|after|before|on)\s+)?$/i.exec(between)
        ? /before/i.test(between)
          ? 'before'
          : 'after'
        : undefined;
      const nextIsDay = next && (next.start.isCertain('day') || next.start.isCertain('weekday'));
      if (!next || !amount || !direction || !nextIsDay) {
        out.push(current);
        continue;
      }
      const n = numberOf(amount[1]!.replace(/\s+/g, ' ')) ?? Number.NaN;
      const unit = amount[2]!.toLowerCase();
      const sign = direction === 'before' ? -1 : 1;
      // A weekday alone is the next one, today included (as forwardDates reads it).
      const today = todayOf(context);
      const base = next.start.isCertain('day')
        ? dayOf(next)
        : addDays(today, daysUntil(today, next.start.get('weekday')!));
      const day = unit.startsWith('month')
        ? addMonths(base, sign * n)
        : unit.startsWith('year')
          ? addMonths(base, sign * 12 * n)
          : addDays(base, sign * n * (unit.startsWith('fortnight') ? 14 : unit.startsWith('week') ? 7 : 1));
      const merged = context.createParsingResult(
        current.index,
        current.text + between + next.text,
        dayComponents(context, day),
      );
      for (const c of ['hour', 'minute', 'second', 'meridiem', 'timezoneOffset'] as const) {
        if (next.start.isCertain(c)) merged.start.assign(c, next.start.get(c)!);
      }
      out.push(merged);
      i++;
    }
    return out;
  },
};

/**
 * Settles the day of readings chrono would move forward itself: a weekday alone is the next one,
 * today included; a month and day without a year is this year's unless that day has gone; "this
 * morning", "today", "tonight" stay today. (chrono's own forward-dating compares a zone-shifted
 * "now" with a true instant, so near midnight it moves dates in some zones and not others.)
 */
export const forwardDates: Refiner = {
  refine(context, results) {
    const today = todayOf(context);
    for (const result of results) {
      const start = result.start;
      let day: Day | undefined;
      if (start.isOnlyWeekdayComponent()) {
        day = addDays(today, daysUntil(today, start.get('weekday')!));
      } else if (start.isDateWithUnknownYear()) {
        day = { ...dayOf(result), year: today.year };
        for (let i = 0; i < 8 && (compareDays(day, today) < 0 || !exists(day)); i++) day.year++;
      } else if (
        !start.isCertain('day') &&
        /\b(?:this\s+(?:morning|afternoon|evening)|today|tonight|tonite)\b/i.test(result.text)
      ) {
        day = today;
      }
      if (day) start.assign('year', day.year).assign('month', day.month).assign('day', day.day);
    }
    return results;
  },
};

function exists(d: Day): boolean {
  return d.day <= daysInMonth(d.year, d.month);
}

/** "tomorrow @ 3pm", "tomorrow by noon": chrono merges a date and a time across "at" but not these. */
export const mergeAtSign: Refiner = {
  refine(context, results) {
    const out: ParsingResult[] = [];
    for (const result of results) {
      const previous = out.at(-1);
      const between = previous ? context.text.slice(previous.index + previous.text.length, result.index) : '';
      if (
        previous &&
        /^\s*(?:@|by)\s*$/i.test(between) &&
        !previous.start.isCertain('hour') &&
        result.start.isCertain('hour') &&
        !result.start.isCertain('day') &&
        !result.start.isCertain('weekday')
      ) {
        for (const c of ['hour', 'minute', 'second', 'meridiem', 'timezoneOffset'] as const) {
          if (result.start.isCertain(c)) previous.start.assign(c, result.start.get(c)!);
        }
        previous.text = context.text.slice(previous.index, result.index + result.text.length);
        continue;
      }
      out.push(result);
    }
    return out;
  },
};

/** "tomorrow morning at 9", "tonight at 11": the part of the day says am or pm. */
export const dayPartMeridiem: Refiner = {
  refine(_context, results) {
    for (const result of results) {
      const start = result.start;
      const hour = start.get('hour') ?? 0;
      if (!start.isCertain('hour') || start.isCertain('meridiem') || hour < 1 || hour > 12) continue;
      const word = /\b(morning|afternoon|evening|night|tonight|tonite)\b/i
        .exec(result.text)?.[1]
        ?.toLowerCase();
      if (!word) continue;
      const part = (word.startsWith('toni') ? 'night' : word) as Part;
      const resolved = hourInPart(
        { hour, minute: start.get('minute') ?? 0, strong: true },
        part,
        result.text,
      );
      start.assign('hour', resolved.hour);
      start.assign('meridiem', resolved.hour < 12 ? Meridiem.AM : Meridiem.PM);
      if (resolved.nextDay) {
        const next = addDays(dayOf(result), 1);
        start.assign('year', next.year).assign('month', next.month).assign('day', next.day);
      }
    }
    return results;
  },
};

/** "in a few days", "several weeks": chrono counts these (few is 3); a guess all the same. */
export const vagueAmounts: Refiner = {
  refine(_context, results) {
    for (const result of results) {
      if (/\b(?:few|several|some)\b/i.test(result.text)) {
        throw new Refusal(`"${result.text}" is not a number I can count; say how many, e.g. "in 3 days".`);
      }
    }
    return results;
  },
};

const WEEKDAY_AND_NUMBER = new RegExp(
  `^(?:(?:${WEEKDAY}),?\\s+(\\d{1,2})|(\\d{1,2})\\s+(?:${WEEKDAY}))$`,
  'i',
);

/** "friday 13": Friday the 13th, or Friday at 13:00? chrono reads the hour. */
export const weekdayAndNumber: Refiner = {
  refine(_context, results) {
    for (const result of results) {
      const match = WEEKDAY_AND_NUMBER.exec(result.text.trim());
      const n = Number(match?.[1] ?? match?.[2]);
      if (match && n >= 1 && n <= 31) {
        const clock = `${String(n).padStart(2, '0')}:00`;
        throw new Refusal(
          `"${result.text}" could be the ${ordinal(n)} or ${clock}; write "the ${ordinal(n)}" for the day or "${clock}" for the time.`,
        );
      }
    }
    return results;
  },
};

/** "midnight friday": the night before Friday or after it? Only "midnight (tonight)" is clear. */
export const midnightOfADay: Refiner = {
  refine(_context, results) {
    for (const result of results) {
      if (
        /\bmidnight\b/i.test(result.text) &&
        !/\b(tonight|tonite)\b/i.test(result.text) &&
        (result.start.isCertain('day') || result.start.isCertain('weekday'))
      ) {
        throw new Refusal(
          `"${result.text}" could be the start or the end of that day; say "23:59" on the day, or "00:00" on the day after.`,
        );
      }
    }
    return results;
  },
};

/**
 * "Fri, Jul 18" when July 18 is a Saturday, "Tuesday the 19th" when the coming 19th is not a
 * Tuesday: either half may be the mistake, so both readings go back as a question.
 */
export const weekdayAgreement: Refiner = {
  refine(_context, results) {
    for (const result of results) {
      const start = result.start;
      if (!start.isCertain('weekday') || !start.isCertain('day')) continue;
      const said = start.get('weekday')!;
      const day = dayOf(result);
      if (weekday(day) === said) continue;
      const saidName = WEEKDAY_NAMES[said]!;
      const actual = WEEKDAY_NAMES[weekday(day)]!;
      if (start.isCertain('year')) {
        throw new Refusal(`${formatDay(day)} is a ${actual}, not a ${saidName} — which did you mean?`);
      }
      const monthKnown = start.isCertain('month');
      const other = nextMatching(day, said, monthKnown);
      const name = monthKnown ? `${monthName(day.month)} ${day.day}` : `the ${ordinal(day.day)}`;
      const otherText = other
        ? monthKnown
          ? `a ${saidName} in ${other.year}`
          : `a ${saidName} in ${monthName(other.month)} ${other.year}`
        : `never a ${saidName} soon`;
      throw new Refusal(
        `${name} is a ${actual} in ${monthKnown ? day.year : `${monthName(day.month)} ${day.year}`} and ${otherText} — which did you mean?`,
      );
    }
    return results;
  },
};

/** The next day after `day` with the same day of the month (and month, if known) on `target`. */
function nextMatching(day: Day, target: number, sameMonth: boolean): Day | undefined {
  for (let i = 1; i <= (sameMonth ? 12 : 48); i++) {
    const candidate = sameMonth ? { ...day, year: day.year + i } : addMonths({ ...day, day: 1 }, i);
    const d = { ...candidate, day: day.day };
    if (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDate() !== d.day) continue;
    if (weekday(d) === target) return d;
  }
  return undefined;
}

/** Where the refiners go among chrono's own, by the name of the one they follow or replace. */
export function placeRefiners(refiners: Refiner[]): Refiner[] {
  const list = [...refiners];
  const at = (name: string) => {
    const index = list.findIndex((r) => r.constructor.name === name);
    if (index < 0) throw new Error(`chrono has no ${name}; the time reader needs updating`);
    return index;
  };
  list.splice(at('ExtractTimezoneAbbrRefiner'), 1, zoneAbbreviation);
  list.splice(
    at('ForwardDateRefiner'),
    0,
    forwardDates,
    dayPartMeridiem,
    midnightOfADay,
    vagueAmounts,
    weekdayAndNumber,
  );
  list.splice(at('OverlapRemovalRefiner') + 1, 0, durationFromDate, mergeAtSign);
  list.push(zoneOnTheDay, weekdayAgreement);
  return list;
}
