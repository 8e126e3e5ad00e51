import { Meridiem, type Parser, type ParsingComponents, type ParsingContext } from 'chrono-node';

/**
 * What the time reader's chrono parsers share: how a parser is made from a pattern, the refusal
 * they throw when the words are clear but an answer would be a guess, and the working day's hours.
 */

/** When a date has no time of day. */
export const DEFAULT_HOUR = 9;
/** What "end of day / week / month" means: the end of the working day. */
export const END_OF_DAY_HOUR = 17;

/** Words understood, but answering would be a guess: the reason goes back to the person. */
export class Refusal extends Error {}

/** What ends a match: not inside a word, a number or a date. */
const END = String.raw`(?![\w:/-])`;
/** What starts one. */
const START = String.raw`(?<![\w:./-])`;

export function parser(
  source: string,
  extract: (context: ParsingContext, match: RegExpMatchArray) => unknown,
): Parser {
  const pattern = new RegExp(`${START}(?:${source})${END}`, 'i');
  return {
    pattern: () => pattern,
    extract: (context, match) => extract(context, match) as ReturnType<Parser['extract']>,
  };
}

export function lower(text: string | undefined): string {
  return (text ?? '').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The end of the working day, as "end of month" means it. */
export function endOfDay(components: ParsingComponents): ParsingComponents {
  return components
    .assign('hour', 17)
    .assign('minute', 0)
    .assign('second', 0)
    .assign('meridiem', Meridiem.PM);
}

/** Tags a reading that is elapsed time from now, in minutes: "when/elapsed:90". */
export const ELAPSED_TAG = 'when/elapsed:';

/** Tags a reading whose zone the text named: "when/zone:Asia/Kolkata|IST" (zone, name said). */
export const ZONE_TAG = 'when/zone:';

/** What a reader made of the text: an instant, and the words it was read from. */
export interface Reading {
  ms: number;
  understood: string;
  /** A time of day without a date (e.g. "9am" said after 9am): the hint differs. */
  timeOnly?: boolean;
  /** A zone the text named after the time, and the name it was said by ("IST"), if any. */
  said?: { zone: string; label: string };
}
