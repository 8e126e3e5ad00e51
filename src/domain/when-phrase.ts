import { clockOf, ordinal } from './when-words.js';

/**
 * What the reader does to the words before reading a moment in them: drops the hedges that only
 * say "roughly" ("about 5pm", "5pm-ish"), and refuses at once what is clearly not one moment — a
 * number or a spelled clock time alone, "today" alone, a span ("the upcoming two weeks").
 */

/** Hedges before or after a time: the time itself is meant. */
const HEDGES: Array<[RegExp, string]> = [
  [/\b(?:about|around|approximately|approx\.?|roughly|circa)\s+(?=\S)/gi, ''],
  [/(\d|[ap]\.?m\.?|noon|midnight|midday|o'clock)\s*-?\s*ish\b/gi, '$1'],
  [/-ish\b|\s+ish\b/gi, ''],
  [/,?\s+(?:or\s+so|or\s+thereabouts|approximately|approx\.?|roughly)$/i, ''],
];

/** "in 20'" and "20′": minutes, as written in timetables. */
const PRIME_MINUTES = /(\d)\s*['’′](?=\s|$)/g;

export function tidyPhrase(text: string): string {
  let t = text;
  for (const [pattern, replacement] of HEDGES) t = t.replace(pattern, replacement);
  return t.replace(PRIME_MINUTES, '$1 minutes').replace(/\s+/g, ' ').trim();
}

const SPAN =
  /^(?:(?:for|over|during)\s+)?(?:the\s+)?(?:upcoming|coming|next|following)\s+(\d+|[a-z]+(?:[\s-][a-z]+)?)\s+(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)$/;

/** A reason when the phrase (lower case) is clearly not one moment; undefined otherwise. */
export function notAMoment(phrase: string): string | undefined {
  const number = /^(?:on\s+)?(the\s+)?(\d{1,2})$/.exec(phrase);
  if (number) {
    const n = Number(number[2]);
    const day = n >= 1 && n <= 31 ? `"the ${ordinal(n)}" for a day of the month, or ` : '';
    return `"${phrase}" alone is not a time: say ${day}a time with a day, e.g. "tomorrow 5pm".`;
  }
  if (/^[a-z' -]+$/.test(phrase)) {
    const clock = clockOf(phrase);
    if (clock && !clock.meridiem) {
      const at = `${clock.hour}${clock.minute ? `:${String(clock.minute).padStart(2, '0')}` : ''}`;
      return `"${phrase}" alone could be ${at}am or ${at}pm, on any day; add am or pm and a day, e.g. "tomorrow ${at}pm".`;
    }
  }
  if (/^(?:today|tdy|this day)$/.test(phrase))
    return `"${phrase}" alone is not a time; say when today, e.g. "today 5pm", or "eod" for 17:00.`;
  const span = SPAN.exec(phrase);
  if (span) {
    return `"${phrase}" is a span of time; say the one moment it should expire, e.g. "in ${span[1]} ${span[2]}".`;
  }
  return undefined;
}
