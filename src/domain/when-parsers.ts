import { Meridiem, type Parser, ParsingComponents, type ParsingContext } from 'chrono-node';
import {
  addDays,
  addMonths,
  compareDays,
  type Day,
  dayComponents,
  daysInMonth,
  daysUntil,
  formatDay,
  mondayOf,
  monthName,
  todayOf,
  weekday,
} from './when-days.js';
import {
  CLOCK,
  type Clock,
  clockOf,
  DAY_ORDINAL,
  MONTH,
  monthOf,
  NUMBER_WORD,
  numberOf,
  ordinalOf,
  WEEKDAY,
  WEEKDAY_NAMES,
  weekdayOf,
} from './when-words.js';

/**
 * Custom chrono parsers: the ways people write a moment that chrono's casual English does not
 * read, or reads wrongly. Each returns chrono components (a certain date is never moved by
 * chrono's forward-dating) or throws a Refusal when the words are clear but cannot be answered
 * without a guess.
 */

/** Words understood, but answering would be a guess: the reason goes back to the person. */
export class Refusal extends Error {}

/** What ends a match: not inside a word, a number or a date. */
const END = String.raw`(?![\w:/-])`;
/** What starts one. */
const START = String.raw`(?<![\w:./-])`;

function parser(
  source: string,
  extract: (context: ParsingContext, match: RegExpMatchArray) => unknown,
): Parser {
  const pattern = new RegExp(`${START}(?:${source})${END}`, 'i');
  return {
    pattern: () => pattern,
    extract: (context, match) => extract(context, match) as ReturnType<Parser['extract']>,
  };
}

function lower(text: string | undefined): string {
  return (text ?? '').toLowerCase().replace(/\s+/g, ' ').trim();
}

// ── Clock times: "ten thirty am", "3:15p", "half past 3 pm", "8 tonight", "9 tomorrow morning" ──

export type Part = 'morning' | 'afternoon' | 'evening' | 'night';
const DAY_PART = `(tonight|tonite|(?:(this|today|tomorrow|tmrw|tmr|tomorow|${WEEKDAY})\\s+)?(morning|afternoon|evening|night)|in\\s+the\\s+(morning|afternoon|evening)|at\\s+night)`;
const RELATION = `((?:a\\s+)?quarter|half|\\d{1,2}(?:\\s*(?:minutes?|mins?))?|${NUMBER_WORD}(?:\\s+minutes?)?)\\s+(past|after|to|before|till|til)`;

/** Hours that a part of the day makes pm (or am); anything else is a question. */
export function hourInPart(clock: Clock, part: Part, text: string): { hour: number; nextDay: boolean } {
  const { hour, meridiem } = clock;
  const conflict = () => new Refusal(`"${text}": ${hour}:${pad(clock.minute)} is not in the ${part}.`);
  if (meridiem) {
    if (part === 'morning' ? hour >= 12 : hour < 12 && !(part === 'night' && hour < 5)) throw conflict();
    return { hour, nextDay: part === 'night' && hour < 5 };
  }
  if (part === 'morning' && hour >= 1 && hour <= 11) return { hour, nextDay: false };
  if (part === 'afternoon' && hour === 12) return { hour: 12, nextDay: false };
  if (part === 'afternoon' && hour >= 1 && hour <= 7) return { hour: hour + 12, nextDay: false };
  if (part === 'evening' && hour >= 4 && hour <= 11) return { hour: hour + 12, nextDay: false };
  if (part === 'night' && hour >= 5 && hour <= 11) return { hour: hour + 12, nextDay: false };
  if (part === 'night' && hour === 12) return { hour: 0, nextDay: true };
  throw new Refusal(
    `"${text}": I can't tell which ${hour} o'clock in the ${part} you mean; write it as 24-hour time, e.g. "${pad(hour)}:00" or "${pad(hour + 12)}:00".`,
  );
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Minutes in "quarter", "20 minutes", "ten"; undefined for "half to". */
function minutesOf(amount: string, relation: string): number | undefined {
  const a = lower(amount).replace(/\s*(?:minutes?|mins?)$/, '');
  if (/quarter$/.test(a)) return 15;
  if (a === 'half') return relation === 'past' || relation === 'after' ? 30 : undefined;
  const n = numberOf(a);
  return n !== undefined && n >= 1 && n <= 59 ? n : undefined;
}

const timeOfDay = parser(`(?:${RELATION}\\s+)?(${CLOCK})(?:\\s+${DAY_PART})?`, (context, m) => {
  const [text, amount, relation, clockText, dayPart, partDay, part1, part2] = m;
  return readTimeOfDay(context, {
    text: text!,
    amount,
    relation,
    clockText: clockText!,
    dayPart,
    partDay,
    part1,
    part2,
  });
});

/** The pieces of "<amount> <relation> <clock> <day part>", each but the clock optional. */
interface TimeOfDayWords {
  text: string;
  amount?: string;
  relation?: string;
  clockText: string;
  dayPart?: string;
  partDay?: string;
  part1?: string;
  part2?: string;
}

function readTimeOfDay(context: ParsingContext, words: TimeOfDayWords): ParsingComponents | null {
  const { text, amount, relation, clockText, dayPart, partDay, part1, part2 } = words;
  const clock = clockOf(clockText!);
  if (!clock) return null;
  if (!amount && !dayPart && !clock.strong) return null;
  let { hour, minute, meridiem } = clock;
  if (amount) {
    const rel = lower(relation);
    const minutes = minutesOf(amount, rel);
    if (minutes === undefined) return null;
    // "2 to 3pm" is a range as often as 2:58 pm; only words or "minutes" make it a clock time.
    if (/^\d+$/.test(lower(amount)) && !['past', 'after'].includes(rel)) return null;
    const sign = rel === 'past' || rel === 'after' ? 1 : -1;
    const cycle = meridiem ? 24 * 60 : 12 * 60;
    const total = (((hour * 60 + minute + sign * minutes) % cycle) + cycle) % cycle;
    hour = Math.floor(total / 60);
    minute = total % 60;
    if (meridiem) meridiem = hour < 12 ? 'am' : 'pm';
    else if (hour === 0) hour = 12;
  }
  let day: Day | undefined;
  if (dayPart) {
    const p = lower(dayPart);
    const part = (p.startsWith('toni') ? 'night' : (part1 ?? part2 ?? 'night').toLowerCase()) as Part;
    const resolved = hourInPart({ hour, minute, meridiem, strong: true }, part, lower(text));
    hour = resolved.hour;
    meridiem = hour < 12 ? 'am' : 'pm';
    const today = todayOf(context);
    const word = lower(partDay);
    if (p.startsWith('toni') || word === 'this' || word === 'today') day = today;
    else if (/^to?m/.test(word)) day = addDays(today, 1);
    else if (word) day = addDays(today, daysUntil(today, weekdayOf(word)));
    if (resolved.nextDay) day = addDays(day ?? today, 1);
  }
  const components = day ? dayComponents(context, day) : context.createParsingComponents();
  components.assign('hour', hour).assign('minute', minute).assign('second', 0);
  if (meridiem) components.assign('meridiem', meridiem === 'am' ? Meridiem.AM : Meridiem.PM);
  return components;
}

/** "tonight 8", "tomorrow morning 9:30": the part of the day first, then a bare clock time. */
const dayPartThenClock = parser(`${DAY_PART}\\s+(?:at\\s+)?(${CLOCK})`, (context, m) => {
  const [text, dayPart, partDay, part1, part2, clockText] = m;
  return readTimeOfDay(context, { text: text!, clockText: clockText!, dayPart, partDay, part1, part2 });
});

// ── 24-hour and continental forms: "15h", "15h30", "15:30h", "1500 hrs", "at 1030", "0930" ─────

const continental = parser(
  String.raw`(\d{1,2})h(\d{2})?|(\d{1,2})[:.](\d{2})\s*h|(\d{4})\s*(?:h|hrs?|hours)|(?:at|@)\s*(\d{3,4})|(0\d{3})`,
  (context, m) => {
    const [text, h1, m1, h2, m2, compact1, compact2, compact3] = m;
    let hour: number;
    let minute: number;
    const compact = compact1 ?? compact2 ?? compact3;
    if (compact) {
      hour = Math.floor(Number(compact) / 100);
      minute = Number(compact) % 100;
    } else {
      hour = Number(h1 ?? h2);
      minute = Number(m1 ?? m2 ?? 0);
    }
    if (hour > 23 || minute > 59) return null;
    // Alone, "2h" is as likely two hours from now as 02:00, and "1h30" an hour and a half.
    const alone = context.text.trim().toLowerCase() === text!.toLowerCase();
    if (h1 && alone && hour >= 1 && (m1 ? hour < 6 : hour <= 12)) {
      const clock = `${pad(hour)}:${pad(minute)}`;
      const duration = `in ${hour} hour${hour > 1 ? 's' : ''}${m1 ? ` ${minute} minutes` : ''}`;
      throw new Refusal(`"${text}" could be a duration or ${clock}; say "${duration}" or "${clock}".`);
    }
    return context
      .createParsingComponents({ hour, minute, second: 0 })
      .assign('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
  },
);

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

const DAY_OF_MONTH = `(?:the\\s+)?(${DAY_ORDINAL})(?:\\s+(?:of\\s+)?(this|next|the\\s+following|the)\\s+month)?`;

/** "December the 1st", "Dec the 3rd": chrono reads "December 1st" but not with "the". */
const monthTheDay = parser(`(${MONTH})\\s+the\\s+(${DAY_ORDINAL})(?:,?\\s+(\\d{4}))?`, (context, m) => {
  const day = ordinalOf(m[2]!);
  if (day === undefined || day < 1 || day > 31) return null;
  const components = context.createParsingComponents({ month: monthOf(m[1]!), day });
  if (m[3]) components.assign('year', Number(m[3]));
  else components.imply('year', todayOf(context).year);
  return components;
});

const dayOfMonth = parser(DAY_OF_MONTH, (context, m) => {
  const [text, ordinal, relative] = m;
  const n = ordinalOf(ordinal!);
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

const nthOfMonth = parser(
  `(?:the\\s+)?${NTH}\\s+(${WEEKDAY}|day|weekday|business\\s+day|working\\s+day|work\\s+day)\\s+(?:of|in)\\s+(?:(the|this|next|the\\s+following)\\s+month|(${MONTH})(?:\\s*,?\\s*(\\d{4}))?)`,
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

const weekOf = parser(
  `(${WEEKDAY})\\s+(?:of\\s+|in\\s+)?(this|next|last|the\\s+following|the\\s+coming)\\s+week|(this|next|last|the\\s+following)\\s+week'?s?\\s+(?:on\\s+)?(${WEEKDAY})`,
  (context, m) => {
    const [, wd1, rel1, rel2, wd2] = m;
    const rel = lower(rel1 ?? rel2);
    const shift = rel === 'this' ? 0 : rel === 'last' ? -7 : 7;
    const monday = addDays(mondayOf(todayOf(context)), shift);
    return dayComponents(context, addDays(monday, (weekdayOf(wd1 ?? wd2!) + 6) % 7));
  },
);

const afterNext = parser(
  `(?:the\\s+)?(${WEEKDAY})\\s+after\\s+next|(?:a|one)\\s+week\\s+(?:from|on|after)\\s+(?:this\\s+)?(${WEEKDAY})`,
  (context, m) => {
    const today = todayOf(context);
    if (m[2]) return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[2])) + 7));
    // "the Friday after next": the one after next week's. Said on a Thursday, when this week
    // still has a Friday, some mean the one after tomorrow's: ask.
    const wd = weekdayOf(m[1]!);
    const coming = addDays(today, daysUntil(today, wd, true));
    const afterNextWeeks = addDays(mondayOf(today), 14 + ((wd + 6) % 7));
    if (compareDays(coming, addDays(mondayOf(today), 6)) <= 0) {
      const name = WEEKDAY_NAMES[wd]!;
      throw new Refusal(
        `"${m[0]}" could be ${formatDay(addDays(coming, 7))} (the ${name} after this week's) or ${formatDay(afterNextWeeks)} (the ${name} after next week's); name the date.`,
      );
    }
    return dayComponents(context, afterNextWeeks);
  },
);

const weekdaysFromNow = parser(
  `(\\d{1,2}|${NUMBER_WORD}|a\\s+couple\\s+of)\\s+(${WEEKDAY})s\\s+(?:from\\s+(?:now|today)|away|hence|out)`,
  (context, m) => {
    const n = numberOf(m[1]!);
    if (!n || n > 260) return null;
    const today = todayOf(context);
    return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[2]!), true) + 7 * (n - 1)));
  },
);

const comingWeekday = parser(`(?:this\\s+)?(?:coming|upcoming)\\s+(${WEEKDAY})`, (context, m) => {
  const today = todayOf(context);
  return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[1]!), true)));
});

/**
 * "next friday": the Friday of next week (Monday to Sunday), as chrono reads it — on a Thursday a
 * week and a day away, on a Sunday five days. "next weekend" likewise: next week's Saturday.
 */
const nextWeekday = parser(`next\\s+(${WEEKDAY}|weekend)`, (context, m) => {
  const wd = /weekend/i.test(m[1]!) ? 6 : weekdayOf(m[1]!);
  return dayComponents(context, addDays(mondayOf(todayOf(context)), 7 + ((wd + 6) % 7)));
});

/** "last tuesday", "this past tuesday": chrono's forward-dating would turn these into next week's. */
const pastWeekday = parser(`(?:this\\s+past|last|previous|past)\\s+(${WEEKDAY})`, (context, m) => {
  const today = todayOf(context);
  return dayComponents(context, addDays(today, daysUntil(today, weekdayOf(m[1]!), true) - 7));
});

/**
 * A weekday alone ("fri", "tues", "this friday"): the next one, today included. Left as a weekday
 * for chrono to merge with a date ("Fri, Jul 18"); the forwardDates refiner fixes the day.
 */
const plainWeekday = parser(`(?:this\\s+)?(${WEEKDAY})`, (context, m) => {
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

const dayAfterTomorrow = parser(`(?:the\\s+)?day\\s+after\\s+(?:tomorrow|tmrw|tmr)|overmorrow`, (context) =>
  dayComponents(context, addDays(todayOf(context), 2)),
);

// ── Months, quarters and years: "next March", "March after next", "Q3", "2027Q1", "in 2027" ──

const nextMonth = parser(
  `(next|this|this\\s+coming|the\\s+coming|coming|in)\\s+(${MONTH})(?:\\s+(\\d{4}))?|(${MONTH})\\s+(after\\s+next|next\\s+year|this\\s+year)`,
  (context, m) => {
    const [text, rel1, month1, yearText, month2, rel2] = m;
    const today = todayOf(context);
    const month = monthOf(month1 ?? month2!);
    const rel = lower(rel1 ?? rel2);
    const first = (year: number) => dayComponents(context, { year, month, day: 1 });
    if (yearText) return rel === 'in' ? first(Number(yearText)) : null;
    // The coming one: this year's if it has not started yet.
    const coming = month > today.month ? today.year : today.year + 1;
    if (rel === 'next year') return first(today.year + 1);
    if (rel === 'this year') return first(today.year);
    if (rel === 'after next') return first(coming + 1);
    if (rel === 'this' || rel === 'in') return first(month >= today.month ? today.year : today.year + 1);
    if (rel === 'next' && month === today.month + 1) {
      throw new Refusal(
        `"${text}" could be ${monthName(month)} ${coming} or ${monthName(month)} ${coming + 1}; add the year.`,
      );
    }
    return first(coming);
  },
);

const QUARTER_WORDS: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  last: 4,
  final: 4,
};
const EDGE = `(?:(start|beginning|end|close)\\s+of\\s+)?(?:in\\s+|during\\s+)?(?:the\\s+)?`;

function quarterEdge(context: ParsingContext, year: number, quarter: number, edge: string | undefined) {
  const month = (quarter - 1) * 3 + 1;
  if (/end|close/i.test(edge ?? '')) {
    const last = { year, month: month + 2, day: daysInMonth(year, month + 2) };
    return endOfDay(dayComponents(context, last));
  }
  return dayComponents(context, { year, month, day: 1 });
}

/** The end of the working day, as "end of month" means it. */
function endOfDay(components: ParsingComponents): ParsingComponents {
  return components
    .assign('hour', 17)
    .assign('minute', 0)
    .assign('second', 0)
    .assign('meridiem', Meridiem.PM);
}

const quarter = parser(
  `(eoq)|${EDGE}(?:(?:(next|this|current|following|last|previous)\\s+)?(quarter)|(?:(first|1st|second|2nd|third|3rd|fourth|4th|last|final)\\s+quarter|q([1-4]))(?:\\s*(?:of\\s+)?(?:(\\d{4})|'(\\d{2})|(next|this)\\s+year))?|(\\d{4})\\s*-?\\s*q([1-4]))`,
  (context, m) => {
    const [, eoq, edgeSaid, relative, bareSaid, word, q1, y1, y2, yRel, y3, q2] = m;
    const edge = eoq ? 'end' : edgeSaid;
    const bare = eoq ?? bareSaid;
    const today = todayOf(context);
    const current = Math.floor((today.month - 1) / 3) + 1;
    if (bare) {
      // "quarter" alone is only a period in "end of (the) quarter"; "this quarter" needs no edge.
      if (!relative && !edge) return null;
      const shift = /next|following/i.test(relative ?? '')
        ? 1
        : /last|previous/i.test(relative ?? '')
          ? -1
          : 0;
      const index = today.year * 4 + current - 1 + shift;
      return quarterEdge(context, Math.floor(index / 4), (index % 4) + 1, edge);
    }
    const q = Number(q1 ?? q2) || QUARTER_WORDS[lower(word)]!;
    let year = Number(y1 ?? y3) || (y2 ? 2000 + Number(y2) : undefined);
    if (yRel) year = today.year + (/next/i.test(yRel) ? 1 : 0);
    // A quarter named without a year is the coming one; the current one has started (so its start is past).
    if (year === undefined) year = q >= current ? today.year : today.year + 1;
    return quarterEdge(context, year, q, edge);
  },
);

const year = parser(
  `(eoy|year[\\s-]?end)|${EDGE}(?:(?:year\\s+)?(20\\d\\d)|(?:(next|this|following|coming)\\s+)?year)`,
  (context, m) => {
    const [text, eoy, edgeSaid, digits, relative] = m;
    const edge = eoy ? 'end' : edgeSaid;
    const today = todayOf(context);
    if (!digits && !relative && !edge) return null;
    // A bare "2030" could be 20:30; only "in 2030", "the year 2030", "end of 2030" name a year.
    if (digits && !edge && !/^(?:in|during|the|year)\s/i.test(text!)) return null;
    const y = digits ? Number(digits) : today.year + (!relative || /this/i.test(relative) ? 0 : 1);
    if (/end|close/i.test(edge ?? ''))
      return endOfDay(dayComponents(context, { year: y, month: 12, day: 31 }));
    return dayComponents(context, { year: y, month: 1, day: 1 });
  },
);

const periodStart = parser(
  `(?:start|beginning)\\s+of\\s+(?:the\\s+)?(this|next|following)\\s+(week|month)`,
  (context, m) => {
    const today = todayOf(context);
    const next = /next|following/i.test(m[1]!) ? 1 : 0;
    if (/week/i.test(m[2]!)) return dayComponents(context, addDays(mondayOf(today), 7 * next));
    return dayComponents(context, addMonths({ ...today, day: 1 }, next));
  },
);

const monthEdge = parser(`(start|beginning|end)\\s+of\\s+(${MONTH})(?:\\s+(\\d{4}))?`, (context, m) => {
  const today = todayOf(context);
  const month = monthOf(m[2]!);
  const y = m[3] ? Number(m[3]) : month >= today.month ? today.year : today.year + 1;
  if (/end/i.test(m[1]!))
    return endOfDay(dayComponents(context, { year: y, month, day: daysInMonth(y, month) }));
  return dayComponents(context, { year: y, month, day: 1 });
});

/** "the week after next": its Monday, as "next week" is next Monday. */
const weekAfterNext = parser(`(?:the\\s+)?week\\s+after\\s+next`, (context) =>
  dayComponents(context, addDays(mondayOf(todayOf(context)), 14)),
);

// ── Fractions of an hour: "in a quarter of an hour", "in 1/2 h", "in 2 and a half hours" ─────────

const UNIT = `(hours?|hrs?|h|minutes?|mins?|days?|weeks?)`;
const FRACTION = String.raw`(?:\d+\s+)?\d\s*[/⁄]\s*\d|\d*½`;
const fraction = parser(
  String.raw`(?:in\s+|\+\s*)?(?:(a\s+quarter|three[\s-]quarters|half)\s+(?:of\s+)?(?:an?\s+)?|(a\s+half|a\s+quarter)\s+|(${FRACTION})\s*(?:of\s+an?\s+)?|(\d+|${NUMBER_WORD}|an?|one)\s+and\s+(a\s+half|a\s+quarter|three[\s-]quarters)\s+|(an?|one|\d+|${NUMBER_WORD})\s+)${UNIT}(?:\s+and\s+(a\s+half|a\s+quarter))?(?:\s+(?:from\s+now|later))?`,
  (context, m) => {
    const [text, part1, part2, frac, whole, part3, single, unitText, part4] = m;
    const part = (p: string | undefined) =>
      p ? (/half/i.test(p) ? 0.5 : /three/i.test(p) ? 0.75 : /quarter/i.test(p) ? 0.25 : 0) : 0;
    let amount: number;
    if (part1 || part2) amount = part(part1 ?? part2);
    else if (frac) {
      const f = /^(?:(\d+)\s+)?(\d)\s*[/⁄]\s*(\d)$|^(\d*)½$/.exec(frac.trim());
      if (!f) return null;
      amount = f[4] !== undefined ? Number(f[4] || 0) + 0.5 : Number(f[1] ?? 0) + Number(f[2]) / Number(f[3]);
    } else if (whole) amount = (numberOf(whole) ?? Number.NaN) + part(part3);
    else {
      if (!part4) return null; // a whole amount is chrono's, or the relative reader's.
      amount = (numberOf(single!) ?? Number.NaN) + part(part4);
    }
    if (!Number.isFinite(amount) || amount <= 0) return null;
    const unit = lower(unitText);
    if (/^d|^w/.test(unit)) {
      throw new Refusal(
        `I can't count "${lower(text)}" in whole ${unit.startsWith('d') ? 'days' : 'weeks'}; use hours, e.g. "in 36 hours".`,
      );
    }
    const minutes = Math.round(/^h/.test(unit) ? amount * 60 : amount);
    return ParsingComponents.createRelativeFromReference(context.reference, { minute: minutes }).addTag(
      `${ELAPSED_TAG}${minutes}`,
    );
  },
);

/** Tags a reading that is elapsed time from now, in minutes: "when/elapsed:90". */
export const ELAPSED_TAG = 'when/elapsed:';

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

const holiday = parser(
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

/** A time of the working day that combines with any day: "eod friday", "first thing monday". */
const workingDayTime = parser(
  `(eod|cob|eob|end\\s+of\\s+(?:the\\s+)?(?:business\\s+|work(?:ing)?\\s+)?day|end\\s+of\\s+business|close\\s+of\\s+(?:business|play))|(first\\s+thing(?:\\s+in\\s+the\\s+morning)?|start\\s+of\\s+(?:business|(?:the\\s+)?(?:work(?:ing)?\\s+|business\\s+)?day))`,
  (context, m) => {
    const hour = m[1] ? END_OF_DAY : START_OF_DAY;
    return context
      .createParsingComponents({ hour, minute: 0, second: 0 })
      .assign('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
  },
);
const END_OF_DAY = 17;
const START_OF_DAY = 9;

/** "same time tomorrow", "this time next week": the clock time it is now. */
const sameTime = parser(`(?:at\\s+)?(?:this|the\\s+same|same)\\s+time`, (context) => {
  const today = todayOf(context);
  return context
    .createParsingComponents({ hour: today.hour, minute: today.minute, second: 0 })
    .assign('meridiem', today.hour < 12 ? Meridiem.AM : Meridiem.PM);
});

/** "in 3 business days", "2 working days from now": weekdays only, the clock time kept. */
const businessDays = parser(
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
const tomorrowSpelt = parser(
  `2morrow|2moro|2mrw|tmrow|tommorow|tommorrow|tomorow|tomorroww|tomoz`,
  (context) => dayComponents(context, addDays(todayOf(context), 1)),
);

/** The reader's parsers, in the order they should win a tie for the same words. */
export const PARSERS: Parser[] = [
  nthOfMonth,
  weekOf,
  afterNext,
  weekdaysFromNow,
  comingWeekday,
  nextWeekday,
  pastWeekday,
  dayAfterTomorrow,
  plainWeekday,
  holiday,
  workingDayTime,
  sameTime,
  tomorrowSpelt,
  businessDays,
  nextMonth,
  quarter,
  year,
  periodStart,
  monthEdge,
  weekAfterNext,
  fraction,
  continental,
  dayPartThenClock,
  timeOfDay,
  monthTheDay,
  dayOfMonth,
];
