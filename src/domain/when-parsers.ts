import type { Parser } from 'chrono-node';
import {
  continental,
  dayPartThenClock,
  inThePartOfDay,
  sameTime,
  timeOfDay,
  workingDayTime,
} from './when-parsers-clock.js';
import { amountFromClock, britishHalf, compactInPart } from './when-parsers-clock-spoken.js';
import {
  afterNext,
  businessDays,
  comingWeekday,
  dayAfterTomorrow,
  dayOfMonth,
  holiday,
  monthTheDay,
  nextWeekday,
  nthOfMonth,
  pastWeekday,
  plainWeekday,
  tomorrowSpelt,
  weekdaysFromNow,
  weekOf,
} from './when-parsers-days.js';
import {
  fraction,
  monthEdge,
  nextMonth,
  periodStart,
  quarter,
  weekAfterNext,
  year,
} from './when-parsers-periods.js';

/**
 * The ways people write a moment that chrono's casual English does not read, or reads wrongly,
 * as custom chrono parsers. Each returns chrono components (a certain date is never moved by
 * chrono's forward-dating) or throws a Refusal when the words are clear but cannot be answered
 * without a guess.
 */

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
  compactInPart,
  continental,
  amountFromClock,
  britishHalf,
  dayPartThenClock,
  timeOfDay,
  inThePartOfDay,
  monthTheDay,
  dayOfMonth,
];
