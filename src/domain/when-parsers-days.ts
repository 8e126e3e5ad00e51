import { Meridiem, type ParsingContext } from 'chrono-node';
import {
  addDays,
  addMonths,
  compareDays,
  type Day,
  dayComponents,
  daysInMonth,
  daysUntil,
  mondayOf,
  monthName,
  todayOf,
  weekday,
} from './when-days.js';
import { lower, parser, Refusal } from './when-parse-kit.js';
import {
  DAY_ORDINAL,
  MONTH,
  monthOf,
  NUMBER_WORD,
  numberOf,
  ordinalOf,
  WEEKDAY,
  weekdayOf,
} from './when-words.js';

/** Days: of a month, weekdays relative to weeks and to today, holidays, business days. */

// ── Days of a month: "the 15th", "20th of next month", "first tuesday of october", "last day of the month" ──

/** Which month a period names, and whether the person named its year. */
function monthIn(
  context: ParsingContext,
  relative: string | undefined,
  monthWord: string | undefined,
  yearText: string | undefined,
): { year: number; month: number; yearSaid: boolean } {
  const today = todayOf(context);
  const rel = lower(relative);
  if (rel.includes('next') || rel.includes('following')) {
    const next = addMonths({ ...today, day: 1 }, 1);
    return { year: next.year, month: next.month, yearSaid: true };
  }
  if (monthWord) {
    const month = monthOf(monthWord);
    if (yearText) return { year: Number(yearText), month, yearSaid: true };
    return { year: today.year, month, yearSaid: false };
  }
  return { year: today.year, month: today.month, yearSaid: rel !== '' };
}

const MONTH_SAID = `(?:of\\s+)?(this|next|the\\s+following|the)\\s+month`;
/** "the 15th", "20th of next month"; a plain number only with its month: "20 of next month". */
const DAY_OF_MONTH = `(?:the\\s+)?(?:(${DAY_ORDINAL})|(\\d{1,2})(?=\\s+${MONTH_SAID}))(?:\\s+${MONTH_SAID})?`;

/** "December the 1st", "Dec the 3rd": chrono reads "December 1st" but not with "the". */
export const monthTheDay = parser(
  `(${MONTH})\\s+the\\s+(${DAY_ORDINAL})(?:,?\\s+(\\d{4}))?`,
  (context, m) => {
    const day = ordinalOf(m[2]!);
    if (day === undefined || day < 1 || day > 31) return null;
    const components = context.createParsingComponents({ month: monthOf(m[1]!), day });
    if (m[3]) components.assign('year', Number(m[3]));
    else components.imply('year', todayOf(context).year);
    return components;
  },
);

export const dayOfMonth = parser(DAY_OF_MONTH, (context, m) => {
  const [text, ordinalText, plain, _, relative] = m;
  const ordinal = ordinalText ?? plain!;
  const n = ordinalText ? ordinalOf(ordinalText) : Number(plain);
  if (n === undefined || n < 1 || n > 31) return null;
  // Word ordinals alone ("second", "first") are too often not a date.
  if (!/^\d/.test(ordinal!) && !/^the\s/i.test(text!) && !relative) return null;
  const today = todayOf(context);
  const rel = lower(relative);
  if (rel === 'this' || rel.includes('next') || rel.includes('following')) {
    const { year, month } = monthIn(context, relative, undefined, undefined);
    if (n > daysInMonth(year, month)) throw new Refusal(`${monthName(month)} ${year} has no ${ordinal}.`);
    return dayComponents(context, { year, month, day: n });
  }
  // The next such day, today included: this month's if still ahead, else the next month that has it.
  for (let i = 0; i < 3; i++) {
    const { year, month } = addMonths({ ...today, day: 1 }, i);
    if (n > daysInMonth(year, month)) continue;
    const day = { year, month, day: n };
    if (compareDays(day, today) < 0) continue;
    // Only the day was said: month and year are implied, so a weekday said with it can be checked.
    const components = context.createParsingComponents({ day: n }).imply('month', month).imply('year', year);
    return components.assign('weekday', weekday(day));
  }
  return null;
});

const NTH = '(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)';
const NTHS: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  fifth: 5,
  '5th': 5,
  last: -1,
  final: -1,
};

export const nthOfMonth = parser(
  `(?:the\\s+)?${NTH}\\s+(${WEEKDAY}|day|weekday|business\\s+day|working\\s+day|work\\s+day)\\s+(?:(?:of|in)\\s+)?(?:(the|this|next|the\\s+following)\\s+month|(${MONTH})(?:\\s*,?\\s*(\\d{4}))?)`,
  (context, m) => {
    const [, nth, kind, relative, monthWord, yearText] = m;
    const n = NTHS[lower(nth)]!;
    const k = lower(kind);
    const period = monthIn(context, relative, monthWord, yearText);
    const pick = (year: number, month: number): Day | undefined => {
      const last = daysInMonth(year, month);
      const days: Day[] = [];
      for (let d = 1; d <= last; d++) {
        const day = { year, month, day: d };
        const wd = weekday(day);
        if (k === 'day') days.push(day);
        else if (/weekday|business|work/.test(k)) {
          if (wd >= 1 && wd <= 5) days.push(day);
        } else if (wd === weekdayOf(k)) days.push(day);
      }
      return n === -1 ? days.at(-1) : days[n - 1];
    };
    let day = pick(period.year, period.month);
    if (!day) throw new Refusal(`${monthName(period.month)} ${period.year} has no ${lower(nth)} ${k}.`);
    // A month named without a year is the next one that still has that day ahead.
    if (!period.yearSaid && compareDays(day, todayOf(context)) < 0) {
      day = pick(period.year + 1, period.month);
      if (!day) throw new Refusal(`${monthName(period.month)} ${period.year + 1} has no ${lower(nth)} ${k}.`);
    }
    return dayComponents(context, day);
  },
);

// ── Weekdays relative to weeks: "friday after next", "monday of this week", "3 fridays from now" ──

export const weekOf = parser(
  `(${WEEKDAY})\\s+(?:of\\s+|in\\s+)?(this|next|last|the\\s+following|the\\s+coming)\\s+week|(this|next|last|the\\s+following)\\s+week'?s?\\s+(?:on\\s+)?(${WEEKDAY})`,
  (context, m) => {
    const [, wd1, rel1, rel2, wd2] = m;
    const rel = lower(rel1 ?? rel2);
    const shift = rel === 'this' ? 0 : rel === 'last' ? -7 : 7;
    const monday = addDays(mondayOf(todayOf(context)), shift);
    return dayComponents(context, addDays(monday, (weekdayOf(wd1 ?? wd2!) + 6) % 7));
  },
);

export const afterNext = parser(
  `(?:the\\s+)?(${WEEKDAY})\\s+after\\s+next|(?:a|one)\\s+week\\s+(?:from|on|after)\\s+(?:this\\s+)?(${WEEKDAY})`,
  (context, m) => {
    const today = todayOf(context);
    if (m[2]) return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[2])) + 7));
    // "the Friday after next": the one after "next friday", which is next week's (see nextWeekday).
    const wd = weekdayOf(m[1]!);
    return dayComponents(context, addDays(mondayOf(today), 14 + ((wd + 6) % 7)));
  },
);

export const weekdaysFromNow = parser(
  `(\\d{1,2}|${NUMBER_WORD}|a\\s+couple\\s+of)\\s+(${WEEKDAY})s\\s+(?:from\\s+(?:now|today)|away|hence|out)`,
  (context, m) => {
    const n = numberOf(m[1]!);
    if (!n || n > 260) return null;
    const today = todayOf(context);
    return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[2]!), true) + 7 * (n - 1)));
  },
);

export const comingWeekday = parser(`(?:this\\s+)?(?:coming|upcoming)\\s+(${WEEKDAY})`, (context, m) => {
  const today = todayOf(context);
  return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[1]!), true)));
});

/**
 * "next friday": the Friday of next week (Monday to Sunday), as chrono reads it — on a Thursday a
 * week and a day away, on a Sunday five days. "next weekend" likewise: next week's Saturday.
 */
export const nextWeekday = parser(`next\\s+(${WEEKDAY}|weekend)`, (context, m) => {
  const wd = /weekend/i.test(m[1]!) ? 6 : weekdayOf(m[1]!);
  return dayComponents(context, addDays(mondayOf(todayOf(context)), 7 + ((wd + 6) % 7)));
});

/** "last tuesday", "this past tuesday": chrono's forward-dating would turn these into next week's. */
export const pastWeekday = parser(`(?:this\\s+past|last|previous|past)\\s+(${WEEKDAY})`, (context, m) => {
  const today = todayOf(context);
  return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[1]!), true) - 7));
});

/**
 * A weekday alone ("fri", "tues", "this friday"): the next one, today included. Left as a weekday
 * for chrono to merge with a date ("Fri, Jul 18"); the forwardDates refiner fixes the day.
 */
export const plainWeekday = parser(`(?:this\\s+)?(${WEEKDAY})`, (context, m) => {
  const today = todayOf(context);
  const wd = weekdayOf(m[1]!);
  const day = addDays(today, daysUntil(today, wd));
  return context
    .createParsingComponents()
    .assign('weekday', wd)
    .imply('year', day.year)
    .imply('month', day.month)
    .imply('day', day.day);
});

export const dayAfterTomorrow = parser(
  `(?:the\\s+)?day\\s+after\\s+(?:tomorrow|tmrw|tmr)|overmorrow`,
  (context) => dayComponents(context, addDays(todayOf(context), 2)),
);

// ── Named days and times of the working day: "christmas", "eod friday", "first thing monday" ──

const HOLIDAYS: Array<[RegExp, (year: number) => Day]> = [
  [/^christmas\s+eve$/, (year) => ({ year, month: 12, day: 24 })],
  [/^(?:christmas|xmas)(?:\s+day)?$/, (year) => ({ year, month: 12, day: 25 })],
  [/^boxing\s+day$/, (year) => ({ year, month: 12, day: 26 })],
  [/^new\s+year'?s?\s+eve$/, (year) => ({ year, month: 12, day: 31 })],
  [/^new\s+year'?s?(?:\s+day)?$/, (year) => ({ year, month: 1, day: 1 })],
  [/^valentine'?s?(?:\s+day)?$/, (year) => ({ year, month: 2, day: 14 })],
  [/^halloween$/, (year) => ({ year, month: 10, day: 31 })],
  [
    /^(?:independence\s+day|(?:the\s+)?fourth\s+of\s+july|july\s+4th)$/,
    (year) => ({ year, month: 7, day: 4 }),
  ],
  [
    /^thanksgiving(?:\s+day)?$/,
    (year) => {
      const first = { year, month: 11, day: 1 };
      return addDays(first, daysUntil(first, 4) + 21);
    },
  ],
];

export const holiday = parser(
  `(christmas\\s+eve|(?:christmas|xmas)(?:\\s+day)?|boxing\\s+day|new\\s+year'?s?\\s+eve|new\\s+year'?s?(?:\\s+day)?|valentine'?s?(?:\\s+day)?|halloween|independence\\s+day|thanksgiving(?:\\s+day)?)(?:\\s+(\\d{4}))?`,
  (context, m) => {
    const name = lower(m[1]);
    const rule = HOLIDAYS.find(([pattern]) => pattern.test(name))?.[1];
    if (!rule) return null;
    const today = todayOf(context);
    if (m[2]) return dayComponents(context, rule(Number(m[2])));
    const thisYear = rule(today.year);
    return dayComponents(context, compareDays(thisYear, today) >= 0 ? thisYear : rule(today.year + 1));
  },
);

/** "in 3 business days", "2 working days from now": weekdays only, the clock time kept. */
export const businessDays = parser(
  `(?:in\\s+)?(\\d{1,3}|${NUMBER_WORD}|a|one)\\s+(?:business|working|work)\\s+days?(?:\\s+from\\s+(now|today))?`,
  (context, m) => {
    const n = numberOf(m[1]!);
    if (!n) return null;
    const today = todayOf(context);
    let day: Day = today;
    for (let left = n; left > 0; ) {
      day = addDays(day, 1);
      if (weekday(day) !== 0 && weekday(day) !== 6) left--;
    }
    const components = dayComponents(context, day);
    // "from today" names a day (09:00, as any date); "in …" and "from now" keep the clock time.
    if (lower(m[2]) === 'today') return components;
    return components
      .assign('hour', today.hour)
      .assign('minute', today.minute)
      .assign('second', 0)
      .assign('meridiem', today.hour < 12 ? Meridiem.AM : Meridiem.PM);
  },
);

/** Common ways "tomorrow" is misspelt or shortened that chrono does not know. */
export const tomorrowSpelt = parser(
  `2morrow|2moro|2mrw|tmrow|tommorow|tommorrow|tomorow|tomorroww|tomoz`,
  (context) => dayComponents(context, addDays(todayOf(context), 1)),
);
