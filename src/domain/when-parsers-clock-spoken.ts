import { Meridiem, type ParsingContext } from 'chrono-node';
import { addDays, dayComponents, todayOf } from './when-days.js';
import { lower, pad, parser, Refusal } from './when-parse-kit.js';
import { DAY_PART, readTimeOfDay } from './when-parsers-clock.js';
import { CLOCK, type Clock, clockOf, NUMBER_WORD, numberOf } from './when-words.js';

/**
 * Clock times as people say them: "half four" (British, 4:30), "20 minutes from 2pm",
 * "20 minutes past 14h", "at 815 in the evening"; and which half of the day a bare hour on a
 * named day means ("10 tomorrow").
 */

/** The words after a part of the day in DAY_PART's groups. */
function dayPartWords(m: RegExpMatchArray, at: number) {
  return { dayPart: m[at], partDay: m[at + 1], part1: m[at + 2], part2: m[at + 3] };
}

/**
 * "half four": 4:30. With am/pm or a part of the day that settles it; alone, the next 4:30 ahead
 * (16:30 said in the morning, 04:30 never: a time between midnight and 7 is asked about).
 */
export const britishHalf = parser(`half\\s+(${CLOCK})(?:\\s+${DAY_PART})?`, (context, m) => {
  const clock = clockOf(m[1]!);
  if (clock?.minute !== 0 || /:/.test(m[1]!)) return null;
  const text = m[0]!;
  if (clock.meridiem || m[2]) {
    const clockText = `${clock.meridiem ? clock.hour % 12 || 12 : clock.hour}:30${clock.meridiem ?? ''}`;
    return readTimeOfDay(context, { text, clockText, ...dayPartWords(m, 2) });
  }
  if (lower(context.text).replace(/^(?:at|@)\s+/, '') !== lower(text)) {
    throw new Refusal(
      `"${text}" could be ${clock.hour}:30am or ${clock.hour}:30pm; add am or pm, e.g. "half ${clock.hour} pm".`,
    );
  }
  return nextAhead(context, clock, 30, text);
});

/** The first h:mm after now, in either half of the day; refused when it falls in the night. */
function nextAhead(context: ParsingContext, clock: Clock, minute: number, text: string) {
  const today = todayOf(context);
  const now = today.hour * 60 + today.minute;
  const hours = [clock.hour % 12, (clock.hour % 12) + 12];
  const later = hours.find((h) => h * 60 + minute > now);
  const hour = later ?? hours[0]!;
  if (hour < 7) {
    throw new Refusal(
      `"${text}" would be ${pad(hour)}:${pad(minute)}; if you mean that, write "${pad(hour)}:${pad(minute)}", else add pm and a day.`,
    );
  }
  return dayComponents(context, later === undefined ? addDays(today, 1) : today)
    .assign('hour', hour)
    .assign('minute', minute)
    .assign('second', 0)
    .assign('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
}

const CONTINENTAL_HOUR = String.raw`(\d{1,2})h(\d{2})?`;

/** "20 minutes from 2pm", "an hour after noon", "20 minutes past 14h", "5 mins before 17:00". */
export const amountFromClock = parser(
  `(\\d{1,3}|${NUMBER_WORD}|an?|one)\\s+(minutes?|mins?|hours?|hrs?)\\s+(from|after|past|before|to)\\s+(?:${CONTINENTAL_HOUR}|(${CLOCK}))`,
  (context, m) => {
    const [, amountText, unit, relation, h24, m24, clockText] = m;
    const clock = h24 ? { hour: Number(h24), minute: Number(m24 ?? 0), meridiem: 'am' } : clockOf(clockText!);
    // A bare "2" is 2am or 2pm: only a clock time that says which can be counted from.
    if (!clock?.meridiem || clock.hour > 23 || clock.minute > 59) return null;
    const amount = (numberOf(amountText!) ?? 0) * (/^h/i.test(unit!) ? 60 : 1);
    const sign = /before|to/i.test(relation!) ? -1 : 1;
    const total = clock.hour * 60 + clock.minute + sign * amount;
    if (amount <= 0 || total < 0 || total >= 24 * 60) return null;
    const hour = Math.floor(total / 60);
    return context
      .createParsingComponents({ hour, minute: total % 60, second: 0 })
      .assign('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
  },
);

/** "at 815 in the evening": 20:15, as the part of the day says; "0815 in the evening" is refused. */
export const compactInPart = parser(`(?:(?:at|@)\\s*)?(\\d{3,4})\\s+${DAY_PART}`, (context, m) => {
  const digits = m[1]!;
  const hour = Math.floor(Number(digits) / 100);
  const minute = Number(digits) % 100;
  if (hour > 23 || minute > 59) return null;
  // "0815" is a 24-hour time: in the morning, whatever words follow.
  const meridiem = digits.length === 4 && digits.startsWith('0') ? 'am' : '';
  return readTimeOfDay(context, {
    text: m[0]!,
    clockText: `${hour}:${pad(minute)}${meridiem}`,
    ...dayPartWords(m, 2),
  });
});

/**
 * A bare hour on a named day ("10 tomorrow", "friday at 3"): the working day's hour, 08:00–17:00.
 * Undefined for 6, 7 and the night: morning or evening is a guess.
 */
export function hourOnADay(hour: number): number | undefined {
  if (hour >= 8 && hour <= 11) return hour;
  if (hour === 12) return 12;
  if (hour >= 1 && hour <= 5) return hour + 12;
  return undefined;
}
