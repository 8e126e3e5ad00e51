import { ParsingComponents, type ParsingContext } from 'chrono-node';
import { addDays, addMonths, dayComponents, daysInMonth, mondayOf, monthName, todayOf } from './when-days.js';
import { ELAPSED_TAG, endOfDay, lower, parser, Refusal } from './when-parse-kit.js';
import { MONTH, monthOf, NUMBER_WORD, numberOf } from './when-words.js';

/** Months, quarters, years, the edges of periods, and fractions of an hour. */

// ── Months, quarters and years: "next March", "March after next", "Q3", "2027Q1", "in 2027" ──

export const nextMonth = parser(
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

export const quarter = parser(
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

export const year = parser(
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

export const periodStart = parser(
  `(?:start|beginning)\\s+of\\s+(?:the\\s+)?(this|next|following)\\s+(week|month)`,
  (context, m) => {
    const today = todayOf(context);
    const next = /next|following/i.test(m[1]!) ? 1 : 0;
    if (/week/i.test(m[2]!)) return dayComponents(context, addDays(mondayOf(today), 7 * next));
    return dayComponents(context, addMonths({ ...today, day: 1 }, next));
  },
);

export const monthEdge = parser(
  `(start|beginning|end)\\s+of\\s+(${MONTH})(?:\\s+(\\d{4}))?`,
  (context, m) => {
    const today = todayOf(context);
    const month = monthOf(m[2]!);
    const y = m[3] ? Number(m[3]) : month >= today.month ? today.year : today.year + 1;
    if (/end/i.test(m[1]!))
      return endOfDay(dayComponents(context, { year: y, month, day: daysInMonth(y, month) }));
    return dayComponents(context, { year: y, month, day: 1 });
  },
);

/** "the week after next": its Monday, as "next week" is next Monday. */
export const weekAfterNext = parser(`(?:the\\s+)?week\\s+after\\s+next`, (context) =>
  dayComponents(context, addDays(mondayOf(todayOf(context)), 14)),
);

// ── Fractions of an hour: "in a quarter of an hour", "in 1/2 h", "in 2 and a half hours" ─────────

const UNIT = `(hours?|hrs?|h|minutes?|mins?|days?|weeks?)`;
const FRACTION = String.raw`(?:\d+\s+)?\d\s*[/⁄]\s*\d|\d*½`;
export const fraction = parser(
  String.raw`(?:in\s+|\+\s*)?(?:((?:a\s+)?quarter|three[\s-]quarters|half)\s+(?:of\s+)?(?:an?\s+)?|(a\s+half|a\s+quarter)\s+|(${FRACTION})\s*(?:of\s+an?\s+)?|(\d+|${NUMBER_WORD}|an?|one)\s+and\s+(a\s+half|a\s+quarter|three[\s-]quarters)\s+|(an?|one|\d+|${NUMBER_WORD})\s+)${UNIT}(?:\s+and\s+(a\s+half|a\s+quarter))?(?:\s+(?:from\s+now|later))?`,
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
