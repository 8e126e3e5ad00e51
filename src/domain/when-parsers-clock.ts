import { Meridiem, type ParsingComponents, type ParsingContext } from 'chrono-node';
import { addDays, type Day, dayComponents, daysUntil, todayOf } from './when-days.js';
import { DEFAULT_HOUR, END_OF_DAY_HOUR, lower, pad, parser, Refusal } from './when-parse-kit.js';
import { CLOCK, type Clock, clockOf, NUMBER_WORD, numberOf, WEEKDAY, weekdayOf } from './when-words.js';

/** Clock times: spelled out, around a time, with a part of the day, 24-hour and continental, the working day's. */

// ── Clock times: "ten thirty am", "3:15p", "half past 3 pm", "8 tonight", "9 tomorrow morning" ──

export type Part = 'morning' | 'afternoon' | 'evening' | 'night';
export const DAY_PART = `(tonight|tonite|(?:(this|today|tomorrow|tmrw|tmr|tomorow|${WEEKDAY})\\s+)?(morning|afternoon|evening|night)|in\\s+the\\s+(morning|afternoon|evening)|at\\s+night)`;
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

/** Minutes in "quarter", "20 minutes", "ten"; undefined for "half to". */
function minutesOf(amount: string, relation: string): number | undefined {
  const a = lower(amount).replace(/\s*(?:minutes?|mins?)$/, '');
  if (/quarter$/.test(a)) return 15;
  if (a === 'half') return relation === 'past' || relation === 'after' ? 30 : undefined;
  const n = numberOf(a);
  return n !== undefined && n >= 1 && n <= 59 ? n : undefined;
}

export const timeOfDay = parser(`(?:${RELATION}\\s+)?(${CLOCK})(?:\\s+${DAY_PART})?`, (context, m) => {
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
export interface TimeOfDayWords {
  text: string;
  amount?: string;
  relation?: string;
  clockText: string;
  dayPart?: string;
  partDay?: string;
  part1?: string;
  part2?: string;
}

export function readTimeOfDay(context: ParsingContext, words: TimeOfDayWords): ParsingComponents | null {
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
    // …but "10 to noon" is not a span's end.
    const named = /noon|midnight|midday/i.test(clockText);
    if (/^\d+$/.test(lower(amount)) && !['past', 'after'].includes(rel) && !named) return null;
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
export const dayPartThenClock = parser(`${DAY_PART}\\s+(?:at\\s+)?(${CLOCK})`, (context, m) => {
  const [text, dayPart, partDay, part1, part2, clockText] = m;
  return readTimeOfDay(context, { text: text!, clockText: clockText!, dayPart, partDay, part1, part2 });
});

// ── 24-hour and continental forms: "15h", "15h30", "15:30h", "1500 hrs", "at 1030", "0930" ─────

export const continental = parser(
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
    const components = context.createParsingComponents({ hour, minute, second: 0 });
    // "at 815" is 8:15 in the morning or the evening (a 24-hour time would be "0815").
    if (compact2?.length === 3) return components;
    return components.assign('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
  },
);

/** A time of the working day that combines with any day: "eod friday", "first thing monday". */
export const workingDayTime = parser(
  `(eod|cob|eob|end\\s+of\\s+(?:the\\s+)?(?:business\\s+|work(?:ing)?\\s+)?day|end\\s+of\\s+business|close\\s+of\\s+(?:business|play))|(first\\s+thing(?:\\s+in\\s+the\\s+morning)?|start\\s+of\\s+(?:business|(?:the\\s+)?(?:work(?:ing)?\\s+|business\\s+)?day))`,
  (context, m) => {
    const hour = m[1] ? END_OF_DAY_HOUR : DEFAULT_HOUR;
    return context
      .createParsingComponents({ hour, minute: 0, second: 0 })
      .assign('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
  },
);

/** "same time tomorrow", "this time next week": the clock time it is now. */
export const sameTime = parser(`(?:at\\s+)?(?:this|the\\s+same|same)\\s+time`, (context) => {
  const today = todayOf(context);
  return context
    .createParsingComponents({ hour: today.hour, minute: today.minute, second: 0 })
    .assign('meridiem', today.hour < 12 ? Meridiem.AM : Meridiem.PM);
});

/**
 * "in the morning" / "in the afternoon" / "in the evening" with no hour: as chrono reads "morning"
 * and the rest, an hour implied (09:00, 15:00, 20:00) that merges with a day ("tomorrow in the morning").
 */
export const inThePartOfDay = parser(`in\\s+the\\s+(morning|afternoon|evening)`, (context, m) => {
  const part = lower(m[1]);
  const hour = part === 'morning' ? DEFAULT_HOUR : part === 'afternoon' ? 15 : 20;
  return context
    .createParsingComponents()
    .imply('hour', hour)
    .imply('minute', 0)
    .imply('second', 0)
    .imply('meridiem', hour < 12 ? Meridiem.AM : Meridiem.PM);
});
