// English only: the full package loads every locale (12 MiB more resident memory).
import * as chrono from 'chrono-node/en';
import { DateTime } from 'luxon';
import { isValidTimeZone, offsetAt, type WallClock, wallClockAt, wallClockToInstant } from './time-zone.js';
import { formatLocal, formatWhen, type WhenDisplay } from './when-format.js';
import {
  DEFAULT_HOUR,
  ELAPSED_TAG,
  END_OF_DAY_HOUR,
  type Reading,
  Refusal,
  ZONE_TAG,
} from './when-parse-kit.js';
import { PARSERS } from './when-parsers.js';
import { hourOnADay } from './when-parsers-clock-spoken.js';
import { notAMoment, tidyPhrase } from './when-phrase.js';
import { placeRefiners } from './when-refiners.js';
import type { ReaderOptions } from './when-refiners-zones.js';
import { readRelative } from './when-relative.js';

export type WhenResult =
  | {
      ok: true;
      /** Unix milliseconds. */
      ms: number;
      /** The zone the text was read in: the person's, or one the text named. */
      timeZone: string;
      /** The words the time was read from. */
      understood: string;
      display: WhenDisplay;
    }
  | { ok: false; reason: string };

export interface WhenOptions {
  now: Date;
  /** IANA zone of the person who typed the text. */
  timeZone: string;
}

/** An expiry must be at least this far away… */
export const MIN_LEAD_MS = 60_000;
/** …and at most this far. */
export const MAX_HORIZON_YEARS = 5;
export { DEFAULT_HOUR, END_OF_DAY_HOUR };

const MAX_TEXT = 200;
const VULGAR: Record<string, string> = { '½': '1/2', '¼': '1/4', '¾': '3/4' };

export const EXAMPLES =
  '"tomorrow 9am", "next friday 5pm", "in 2 weeks", "Dec 3 9:30am" or "2026-12-03 14:00"';

/**
 * Reads when an expiry should happen from what a person typed, in their time zone. Refuses —
 * with a sentence saying what it understood and why — rather than guess. Never throws.
 */
export function parseWhen(text: string, options: WhenOptions): WhenResult {
  try {
    return read(text, options);
  } catch {
    return refuse(`I couldn't read "${clip(text)}" as a time. Try ${EXAMPLES}.`);
  }
}

function read(raw: string, { now, timeZone }: WhenOptions): WhenResult {
  // NFKC would turn "2½" into "21⁄2"; spell vulgar fractions out first.
  const typed = raw
    .replace(/(\d?)\s*([½¼¾])/g, (_, whole: string, f: string) => `${whole ? `${whole} ` : ''}${VULGAR[f]}`)
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim();
  const text = tidyPhrase(typed);
  if (text === '') return refuse(`Say when, e.g. ${EXAMPLES}.`);
  if (text.length > MAX_TEXT)
    return refuse(`That is too long for a time (${text.length} characters); try ${EXAMPLES}.`);
  if (!isValidTimeZone(timeZone)) return refuse(`"${timeZone}" is not a time zone I know.`);

  const { rest, zone } = splitZone(text, timeZone);
  const phrase = rest
    .toLowerCase()
    .replace(/^(?:until|till|til|by|expires?|expiring)\s+/, '')
    .replace(/[.!]+$/, '');
  const notOne = notAMoment(phrase);
  if (notOne) return refuse(notOne);
  const reading =
    readRelative(phrase, now, zone) ??
    readPeriodEnd(phrase, now, zone) ??
    readChrono(rest.replace(/^(?:until|till|til|by|expires?|expiring)\s+/i, ''), now, zone);
  if ('reason' in reading) return refuse(reading.reason);
  if (zone !== timeZone || rest !== text) reading.understood = `${reading.understood} ${zone}`;
  return check(reading, now, reading.said?.zone ?? zone);
}

function check(reading: Reading, now: Date, zone: string): WhenResult {
  const { ms } = reading;
  const label = reading.said?.label;
  const when = () => `"${clip(reading.understood)}" is ${formatLocal(ms, zone, label)}`;
  if (ms <= now.getTime()) {
    const hint = reading.timeOnly
      ? ' Add a day, e.g. "tomorrow 9am".'
      : ` Pick a later time, e.g. ${EXAMPLES}.`;
    return refuse(`${when()}, which is already past.${hint}`);
  }
  if (ms - now.getTime() < MIN_LEAD_MS)
    return refuse(`${when()}, less than a minute away. Pick a later time.`);
  const horizon = DateTime.fromJSDate(now).plus({ years: MAX_HORIZON_YEARS }).toMillis();
  if (ms > horizon) {
    return refuse(
      `${when()}, more than ${MAX_HORIZON_YEARS} years away. Pick a time before ${formatLocal(horizon, zone)}.`,
    );
  }
  return {
    ok: true,
    ms,
    timeZone: zone,
    understood: reading.understood,
    display: formatWhen(ms, { now, timeZone: zone, label }),
  };
}

// ── An explicit zone at the end: "17:00 Europe/Berlin", "5pm in America/New_York" ──────────────

function splitZone(text: string, fallback: string): { rest: string; zone: string } {
  const match = /^(.*?)\s+(?:in\s+)?([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)$/.exec(text);
  if (match && isValidTimeZone(match[2]!)) return { rest: match[1]!, zone: canonicalZone(match[2]!) };
  return { rest: text, zone: fallback };
}

function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

// ── Ends and starts of periods: eod, end of week, end of month, next week ─────────────────────

function readPeriodEnd(phrase: string, now: Date, zone: string): Reading | undefined {
  const p = phrase.replace(/^the /, '');
  const wall = wallClockAt(now.getTime(), zone);
  const today = DateTime.fromObject({ year: wall.year, month: wall.month, day: wall.day }, { zone: 'UTC' });
  const at = (day: DateTime, hour: number): Reading => ({
    ms: wallClockToInstant({ year: day.year, month: day.month, day: day.day, hour, minute: 0 }, zone),
    understood: phrase,
  });
  // Friday of the week that contains `day`, or the next Friday on a weekend.
  const friday = (day: DateTime) => day.plus({ days: (5 - day.weekday + 7) % 7 });

  if (
    /^(?:eod|cob|close of business|end of (?:the )?(?:business |work(?:ing)? )?day|end of today)$/.test(p)
  ) {
    return at(today, END_OF_DAY_HOUR);
  }
  if (
    /^(?:eod tomorrow|tomorrow eod|end of (?:the )?(?:day )?tomorrow|tomorrow end of (?:the )?day|end of (?:the )?day tomorrow)$/.test(
      p,
    )
  ) {
    return at(today.plus({ days: 1 }), END_OF_DAY_HOUR);
  }
  if (/^(?:eow|end of (?:the |this )?(?:work(?:ing)? )?week)$/.test(p))
    return at(friday(today), END_OF_DAY_HOUR);
  if (/^end of next week$/.test(p)) return at(friday(today).plus({ days: 7 }), END_OF_DAY_HOUR);
  if (/^(?:eom|end of (?:the |this )?month)$/.test(p)) return at(today.endOf('month'), END_OF_DAY_HOUR);
  if (/^end of next month$/.test(p)) return at(today.plus({ months: 1 }).endOf('month'), END_OF_DAY_HOUR);
  // Their starts: "this week" and "this month" are read only while that start is still ahead.
  if (/^this week$/.test(p)) return at(today.minus({ days: today.weekday - 1 }), DEFAULT_HOUR);
  if (/^next week$/.test(p)) return at(today.plus({ days: 8 - today.weekday }), DEFAULT_HOUR);
  if (/^this month$/.test(p)) return at(today.startOf('month'), DEFAULT_HOUR);
  if (/^next month$/.test(p)) return at(today.plus({ months: 1 }).startOf('month'), DEFAULT_HOUR);
  return undefined;
}

// ── Everything else, through chrono ──────────────────────────────────────────────────────────

/** Words around a date that add nothing ("on friday", "friday, 5pm"), or only insist ("5pm sharp", "on the dot"). */
const FILLER = /\b(?:at|on|by|the|of|until|till|til|sharp|exactly|precisely|dot)\b|[,.@!?"()]/g;
/** Parts of the day whose hour chrono implies; "morning" is read as the start of the working day. */
const PART_OF_DAY = /\b(tonight|tonite|night|evening|afternoon|morning)\b/;

/** chrono's casual English with the reader's own parsers (first, so they win ties) and refiners. */
const reader = (() => {
  const configured = chrono.casual.clone();
  configured.parsers.unshift(...PARSERS);
  configured.refiners = placeRefiners(configured.refiners);
  return configured;
})();

function readChrono(text: string, now: Date, zone: string): Reading | { reason: string } {
  let results: chrono.ParsedResult[];
  try {
    const options: chrono.ParsingOption & ReaderOptions = { forwardDate: true, homeZone: zone };
    results = reader.parse(text, { instant: now, timezone: offsetAt(now.getTime(), zone) }, options);
  } catch (error) {
    if (error instanceof Refusal) return { reason: error.message };
    throw error;
  }
  if (results.length === 0) return { reason: `I couldn't read "${clip(text)}" as a time. Try ${EXAMPLES}.` };
  const [result] = results;
  let leftover = text;
  for (const r of results) leftover = leftover.replace(r.text, ' ');
  leftover = leftover.toLowerCase().replace(FILLER, ' ').replace(/\s+/g, ' ').trim();
  if (results.length > 1 || leftover !== '') {
    const understood = results.map((r) => `"${r.text}"`).join(' and ');
    const unread = leftover || text;
    return {
      reason: `I understood only ${understood} of "${clip(text)}", not "${clip(unread)}", so I won't guess. Try ${EXAMPLES}.`,
    };
  }
  if (result!.end) {
    return { reason: `"${clip(result!.text)}" is a span of time; say the one moment it should expire.` };
  }
  const elapsed = [...result!.start.tags()].find((tag) => tag.startsWith(ELAPSED_TAG));
  if (elapsed) {
    return {
      ms: now.getTime() + Number(elapsed.slice(ELAPSED_TAG.length)) * 60_000,
      understood: result!.text,
    };
  }
  const start = result!.start;
  const get = (c: chrono.Component) => start.get(c) ?? 0;
  const wall: WallClock = {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
  const hasClock = start.isCertain('hour');
  const dateKnown = start.isCertain('day') || start.isCertain('weekday');
  if (hasClock && !start.isCertain('meridiem') && !/\d:\d\d|noon|midnight|midday/i.test(result!.text)) {
    const hour = get('hour');
    const onTheDay = dateKnown ? hourOnADay(hour) : undefined;
    if (onTheDay !== undefined) wall.hour = onTheDay;
    else if (hour >= 1 && hour <= 12) {
      const minute = get('minute');
      const at = minute ? `${hour}:${String(minute).padStart(2, '0')}` : String(hour);
      return {
        reason: `"${result!.text}" could be ${at}am or ${at}pm; add am or pm, or write ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}.`,
      };
    }
  }
  if (!hasClock) {
    const part = PART_OF_DAY.exec(result!.text.toLowerCase())?.[1];
    wall.hour = part === 'morning' || !part ? DEFAULT_HOUR : get('hour');
    wall.minute = 0;
    wall.second = 0;
  } else if (!start.isCertain('second')) {
    wall.second = 0;
  }
  if (start.isCertain('timezoneOffset')) {
    const offset = get('timezoneOffset');
    const ms =
      Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0) -
      offset * 60_000;
    const tag = [...start.tags()].find((t) => t.startsWith(ZONE_TAG))?.slice(ZONE_TAG.length);
    const [zone, label] = tag?.split('|') ?? [];
    const said = zone ? { zone, label: label ?? '' } : undefined;
    return { ms, understood: result!.text, timeOnly: !dateKnown, said };
  }
  return { ms: wallClockToInstant(wall, zone), understood: result!.text, timeOnly: !dateKnown };
}

function refuse(reason: string): WhenResult {
  return { ok: false, reason };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
