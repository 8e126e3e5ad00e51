/**
 * The English words the time reader's chrono extensions share: weekdays, months, spelled-out
 * numbers and clock times ("ten thirty pm", "3:15p", "half past 3"), as regex sources and the
 * functions that read what they matched. No I/O, no dates.
 */

/** Longest first, so that an alternation prefers "tuesday" to "tue". */
function alternation(words: Iterable<string>): string {
  return [...words].sort((a, b) => b.length - a.length).join('|');
}

/** 0 = Sunday, as chrono counts. */
export const WEEKDAYS: Record<string, number> = {
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tues: 2,
  tue: 2,
  wednesday: 3,
  weds: 3,
  wed: 3,
  thursday: 4,
  thurs: 4,
  thur: 4,
  thu: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
};
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** A weekday name, optionally abbreviated with a dot ("Tue."). */
export const WEEKDAY = `(?:${alternation(Object.keys(WEEKDAYS))})\\.?`;

export const MONTHS: Record<string, number> = {
  january: 1,
  jan: 1,
  february: 2,
  feb: 2,
  march: 3,
  mar: 3,
  april: 4,
  apr: 4,
  may: 5,
  june: 6,
  jun: 6,
  july: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sept: 9,
  sep: 9,
  october: 10,
  oct: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
};
export const MONTH = `(?:${alternation(Object.keys(MONTHS))})\\.?`;

export function weekdayOf(word: string): number {
  return WEEKDAYS[word.toLowerCase().replace(/\.$/, '')]!;
}

export function monthOf(word: string): number {
  return MONTHS[word.toLowerCase().replace(/\.$/, '')]!;
}

const UNITS_ = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['twenty', 'thirty', 'forty', 'fifty'];
const SMALL: Record<string, number> = {
  ...Object.fromEntries(UNITS_.map((w, i) => [w, i + 1])),
  ...Object.fromEntries(TEENS.map((w, i) => [w, i + 10])),
};

/** One to fifty-nine in words: "seven", "fifteen", "twenty-five", "forty five". */
export const NUMBER_WORD = `(?:(?:${TENS.join('|')})(?:[\\s-]+(?:${UNITS_.join('|')}))?|${alternation([...TEENS, ...UNITS_])})`;
/** An hour in words. */
export const HOUR_WORD = `(?:${alternation([...UNITS_, 'ten', 'eleven', 'twelve'])})`;
/** Minutes after an hour in words: "oh five", "fifteen", "thirty", "forty-five". */
export const MINUTE_WORD = `(?:o(?:h|')?[\\s-]*(?:${UNITS_.join('|')})|${NUMBER_WORD})`;

/** Reads "twenty-five", "7", "a" / "an" (one). */
export function numberOf(text: string): number | undefined {
  const t = text.toLowerCase().trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (t === 'a' || t === 'an') return 1;
  if (t === 'a couple of' || t === 'couple of') return 2;
  const [tens, unit] = t.split(/[\s-]+/);
  const ten = TENS.indexOf(tens!);
  if (ten >= 0) return (ten + 2) * 10 + (unit ? (SMALL[unit] ?? Number.NaN) : 0);
  if (unit !== undefined) return undefined;
  return SMALL[t];
}

/** Ordinals for days of a month, in words and digits. */
const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  thirtieth: 30,
};
export const DAY_ORDINAL = `(?:[0-3]?\\d(?:st|nd|rd|th)|(?:twenty|thirty)[\\s-]+(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|${alternation(Object.keys(ORDINAL_WORDS))})`;

/** 1–31 from "15th", "fifteenth", "twenty-first"; undefined when it is not an ordinal. */
export function ordinalOf(text: string): number | undefined {
  const t = text.toLowerCase().trim();
  const digits = /^(\d+)(st|nd|rd|th)$/.exec(t);
  if (digits) {
    const n = Number(digits[1]);
    return ordinal(n).endsWith(digits[2]!) || digits[2] === 'th' ? n : undefined;
  }
  const [tens, unit] = t.split(/[\s-]+/);
  if (unit !== undefined) {
    const base = tens === 'twenty' ? 20 : tens === 'thirty' ? 30 : Number.NaN;
    const add = ORDINAL_WORDS[unit];
    return add !== undefined && add < 10 ? base + add : undefined;
  }
  return ORDINAL_WORDS[t];
}

/** 21 → "21st". */
export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "am" / "pm" written as "pm", "p.m.", "p m", "PM". */
const SPACED_MERIDIEM = String.raw`\s*[ap]\.?\s?m\.?(?![a-z])`;
/** …or as a single letter touching the digits: "3p", "3:15a". */
const TOUCHING_MERIDIEM = `[ap](?![a-z])`;

/**
 * A clock time: digits with an optional colon or dot and am/pm ("3", "3:15p", "3.30 p.m."),
 * "3 o'clock", words ("ten thirty am", "seven o'clock"), or noon / midday / midnight.
 */
export const CLOCK = `(?:(?:12\\s+)?(?:noon|midnight)|midday|\\d{1,2}(?:[:.]\\d{2})?(?:${SPACED_MERIDIEM}|${TOUCHING_MERIDIEM}|\\s+o'?\\s?clock(?:${SPACED_MERIDIEM})?)?|${HOUR_WORD}(?:[\\s-]+(?:o'?\\s?clock|${MINUTE_WORD}))?(?:${SPACED_MERIDIEM})?)`;

export interface Clock {
  hour: number;
  minute: number;
  /** Said with am/pm, or a 24-hour or named time that needs none. */
  meridiem?: 'am' | 'pm';
  /** Words or digits that name the clock time alone, without a day part or "past"/"to". */
  strong: boolean;
}

/** Reads a clock time matched by CLOCK; undefined when it is not one ("25:00", "3.75"). */
export function clockOf(text: string): Clock | undefined {
  const t = text
    .toLowerCase()
    .trim()
    .replace(/^12\s+(?=noon|midnight)/, '');
  if (t === 'noon' || t === 'midday') return { hour: 12, minute: 0, meridiem: 'pm', strong: true };
  if (t === 'midnight') return { hour: 0, minute: 0, meridiem: 'am', strong: true };
  const meridiemMatch = /\s*([ap])\.?\s?m?\.?$/.exec(t);
  const meridiem = meridiemMatch ? (meridiemMatch[1] === 'a' ? 'am' : 'pm') : undefined;
  const body = meridiemMatch ? t.slice(0, meridiemMatch.index) : t;
  let hour: number;
  let minute = 0;
  let strong = meridiem !== undefined;
  const digits = /^(\d{1,2})(?:([:.])(\d{2}))?(?:\s+o'?\s?clock)?$/.exec(body);
  if (digits) {
    hour = Number(digits[1]);
    minute = Number(digits[3] ?? 0);
    // "3.30" without am/pm reads as a date (3 March) as often as a time.
    if (digits[2] === '.' && !meridiem) return undefined;
  } else {
    const words = new RegExp(`^(${HOUR_WORD})(?:[\\s-]+(o'?\\s?clock|${MINUTE_WORD}))?$`).exec(body);
    if (!words) return undefined;
    hour = numberOf(words[1]!)!;
    const rest = words[2];
    if (rest !== undefined) {
      strong = true;
      if (!/^o'?\s?clock$/.test(rest)) {
        const m = numberOf(rest.replace(/^o(?:h|')?[\s-]*/, ''));
        if (m === undefined) return undefined;
        minute = m;
      }
    }
  }
  if (minute > 59) return undefined;
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    return { hour: (hour % 12) + (meridiem === 'pm' ? 12 : 0), minute, meridiem, strong };
  }
  if (hour > 23) return undefined;
  // 0:30 and 13:00–23:59 need no am/pm.
  if (hour === 0 || hour > 12) return { hour, minute, meridiem: hour < 12 ? 'am' : 'pm', strong };
  return { hour, minute, strong };
}
