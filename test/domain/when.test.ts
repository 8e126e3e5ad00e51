import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../src/domain/when.js';

/**
 * Expected instants are written out as ISO strings with the offset a person in that zone would
 * see, worked out by hand from each zone's daylight-saving rules — never by calling parseWhen.
 * The generated matrix at the end derives them with Luxon instead.
 */

type Row = [text: string, expected: string];
type Refusal = [text: string, reason: RegExp];

interface Scenario {
  name: string;
  zone: string;
  now: string;
  accepts: Row[];
  refuses?: Refusal[];
}

const PAST = /already past/;
const AMBIGUOUS_HOUR = /could be \d+am or \d+pm/;
const PARTIAL = /understood only/;
const UNREADABLE = /couldn't read/;

const scenarios: Scenario[] = [
  {
    name: 'Los Angeles, an ordinary Sunday afternoon',
    zone: 'America/Los_Angeles',
    now: '2026-11-22T14:00:00-08:00',
    accepts: [
      ['tomorrow', '2026-11-23T09:00:00-08:00'],
      ['Tomorrow', '2026-11-23T09:00:00-08:00'],
      ['tomorrow 9am', '2026-11-23T09:00:00-08:00'],
      ['tomorrow at 5pm', '2026-11-23T17:00:00-08:00'],
      ['tomorrow 9:30', '2026-11-23T09:30:00-08:00'],
      ['tomorrow morning', '2026-11-23T09:00:00-08:00'],
      ['tonight', '2026-11-22T22:00:00-08:00'],
      ['this evening', '2026-11-22T20:00:00-08:00'],
      ['noon', '2026-11-23T12:00:00-08:00'],
      ['noon tomorrow', '2026-11-23T12:00:00-08:00'],
      ['tomorrow noon', '2026-11-23T12:00:00-08:00'],
      ['midnight', '2026-11-23T00:00:00-08:00'],
      ['next friday', '2026-11-27T09:00:00-08:00'],
      ['next fri', '2026-11-27T09:00:00-08:00'],
      ['friday at 5pm', '2026-11-27T17:00:00-08:00'],
      ['fri 5pm', '2026-11-27T17:00:00-08:00'],
      ['on friday', '2026-11-27T09:00:00-08:00'],
      ['until friday', '2026-11-27T09:00:00-08:00'],
      ['by friday 5pm', '2026-11-27T17:00:00-08:00'],
      ['monday', '2026-11-23T09:00:00-08:00'],
      ['saturday', '2026-11-28T09:00:00-08:00'],
      ['next week', '2026-11-23T09:00:00-08:00'],
      ['next month', '2026-12-01T09:00:00-08:00'],
      ['eod', '2026-11-22T17:00:00-08:00'],
      ['EOD', '2026-11-22T17:00:00-08:00'],
      ['end of day', '2026-11-22T17:00:00-08:00'],
      ['by end of day', '2026-11-22T17:00:00-08:00'],
      ['end of the day', '2026-11-22T17:00:00-08:00'],
      ['tomorrow eod', '2026-11-23T17:00:00-08:00'],
      ['end of week', '2026-11-27T17:00:00-08:00'],
      ['eow', '2026-11-27T17:00:00-08:00'],
      ['end of next week', '2026-12-04T17:00:00-08:00'],
      ['end of month', '2026-11-30T17:00:00-08:00'],
      ['eom', '2026-11-30T17:00:00-08:00'],
      ['end of next month', '2026-12-31T17:00:00-08:00'],
      ['in 2 weeks', '2026-12-06T14:00:00-08:00'],
      ['  in   2   weeks  ', '2026-12-06T14:00:00-08:00'],
      ['In 2 Weeks', '2026-12-06T14:00:00-08:00'],
      ['in 2weeks', '2026-12-06T14:00:00-08:00'],
      ['2 weeks', '2026-12-06T14:00:00-08:00'],
      ['2w', '2026-12-06T14:00:00-08:00'],
      ['+2w', '2026-12-06T14:00:00-08:00'],
      ['in 36 hours', '2026-11-24T02:00:00-08:00'],
      ['+36h', '2026-11-24T02:00:00-08:00'],
      ['in 48 hours', '2026-11-24T14:00:00-08:00'],
      ['in 90 minutes', '2026-11-22T15:30:00-08:00'],
      ['90m', '2026-11-22T15:30:00-08:00'],
      ['in 1h30m', '2026-11-22T15:30:00-08:00'],
      ['in 1.5 hours', '2026-11-22T15:30:00-08:00'],
      ['in half an hour', '2026-11-22T14:30:00-08:00'],
      ['in an hour', '2026-11-22T15:00:00-08:00'],
      ['in 15 minutes', '2026-11-22T14:15:00-08:00'],
      ['in 2 hours', '2026-11-22T16:00:00-08:00'],
      ['in a week', '2026-11-29T14:00:00-08:00'],
      ['1 week', '2026-11-29T14:00:00-08:00'],
      ['in two days', '2026-11-24T14:00:00-08:00'],
      ['+2d', '2026-11-24T14:00:00-08:00'],
      ['3d', '2026-11-25T14:00:00-08:00'],
      ['in 10 days', '2026-12-02T14:00:00-08:00'],
      ['2 days from now', '2026-11-24T14:00:00-08:00'],
      ['in 2 weeks and 3 days', '2026-12-09T14:00:00-08:00'],
      ['in 1 day, 2 hours', '2026-11-23T16:00:00-08:00'],
      ['in 3 days at 5pm', '2026-11-25T17:00:00-08:00'],
      ['in 2 weeks at 17:00', '2026-12-06T17:00:00-08:00'],
      ['in 1 week at noon', '2026-11-29T12:00:00-08:00'],
      ['in 1 month', '2026-12-22T14:00:00-08:00'],
      ['+1mo', '2026-12-22T14:00:00-08:00'],
      ['in 3 months', '2027-02-22T14:00:00-08:00'],
      ['in 1 year', '2027-11-22T14:00:00-08:00'],
      ['Dec 3', '2026-12-03T09:00:00-08:00'],
      ['dec 3', '2026-12-03T09:00:00-08:00'],
      ['Dec 3rd 9:30am', '2026-12-03T09:30:00-08:00'],
      ['Dec 3 at 17', '2026-12-03T17:00:00-08:00'],
      ['dec 25 noon', '2026-12-25T12:00:00-08:00'],
      ['3 December 2026 14:00', '2026-12-03T14:00:00-08:00'],
      ['Thursday 3 December', '2026-12-03T09:00:00-08:00'],
      ['December 3, 2026', '2026-12-03T09:00:00-08:00'],
      ['12/03', '2026-12-03T09:00:00-08:00'],
      ['12/3/2026 5pm', '2026-12-03T17:00:00-08:00'],
      ['30/12', '2026-12-30T09:00:00-08:00'],
      ['Jan 5', '2027-01-05T09:00:00-08:00'],
      ['1/5', '2027-01-05T09:00:00-08:00'],
      ['2026-12-03', '2026-12-03T09:00:00-08:00'],
      ['2026-12-03T14:00', '2026-12-03T14:00:00-08:00'],
      ['2026-12-03 14:00', '2026-12-03T14:00:00-08:00'],
      ['2026-12-03 14:00 UTC', '2026-12-03T14:00:00Z'],
      ['2026-12-03T14:00:00+01:00', '2026-12-03T13:00:00Z'],
      ['2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
      ['5pm PST', '2026-11-22T17:00:00-08:00'],
      ['5pm', '2026-11-22T17:00:00-08:00'],
      ['17:00', '2026-11-22T17:00:00-08:00'],
      ['9am', '2026-11-23T09:00:00-08:00'],
      ['17:00 Europe/Berlin', '2026-11-23T17:00:00+01:00'],
      ['6pm in America/New_York', '2026-11-22T18:00:00-05:00'],
      ['tomorrow 9am Asia/Kolkata', '2026-11-24T09:00:00+05:30'],
      ['2031-11-22', '2031-11-22T09:00:00-08:00'],
    ],
    refuses: [
      ['', /Say when/],
      ['   ', /Say when/],
      ['banana', UNREADABLE],
      ['soon', UNREADABLE],
      ['asap', UNREADABLE],
      ['whenever', UNREADABLE],
      ['in 5', UNREADABLE],
      ['5', /alone is not a time/],
      ['99:99', UNREADABLE],
      ['2026-02-30', UNREADABLE],
      ['🙂', UNREADABLE],
      ['around 3pm please', PARTIAL],
      ['tomorrow 25:00', PARTIAL],
      ['tomorrow or friday', PARTIAL],
      ['friday and monday', PARTIAL],
      ['tomorrow please', PARTIAL],
      ['in -2 days', PARTIAL],
      ['at 5', AMBIGUOUS_HOUR],
      ['tomorrow at 7', AMBIGUOUS_HOUR],
      ['in 2 weeks at 9', AMBIGUOUS_HOUR],
      ['yesterday', PAST],
      ['5 minutes ago', PAST],
      ['sunday', PAST],
      ['Nov 22 2026 13:00', PAST],
      ['2020-01-01', PAST],
      ['in 30 seconds', /less than a minute/],
      ['in 6 years', /more than 5 years/],
      ['2031-11-23', /more than 5 years/],
      ['in 0 days', /no time from now/],
      ['in 1.5 days', /whole days/],
      ['in 3 hours at 5pm', /mixes hours/],
      ['x'.repeat(201), /too long/],
    ],
  },
  {
    name: 'Los Angeles, the night before clocks go forward (2027-03-14 02:00 → 03:00)',
    zone: 'America/Los_Angeles',
    now: '2027-03-13T22:00:00-08:00',
    accepts: [
      ['tomorrow 9am', '2027-03-14T09:00:00-07:00'],
      ['tomorrow', '2027-03-14T09:00:00-07:00'],
      ['in 1 day', '2027-03-14T22:00:00-07:00'],
      ['in 24 hours', '2027-03-14T23:00:00-07:00'],
      ['in 36 hours', '2027-03-15T11:00:00-07:00'],
      ['tomorrow 2:30am', '2027-03-14T03:30:00-07:00'],
      ['2027-03-14 02:30', '2027-03-14T03:30:00-07:00'],
      ['2027-03-14 02:00', '2027-03-14T03:00:00-07:00'],
      ['2027-03-14 01:59', '2027-03-14T01:59:00-08:00'],
      ['2027-03-14 03:00', '2027-03-14T03:00:00-07:00'],
      ['midnight', '2027-03-14T00:00:00-08:00'],
      ['in 1 week', '2027-03-20T22:00:00-07:00'],
      ['monday 9am', '2027-03-15T09:00:00-07:00'],
      ['next week', '2027-03-15T09:00:00-07:00'],
      ['end of month', '2027-03-31T17:00:00-07:00'],
    ],
    refuses: [
      ['eod', PAST],
      ['tonight at 9pm', PAST],
    ],
  },
  {
    name: 'Los Angeles, the evening before clocks go back (2026-11-01 02:00 → 01:00)',
    zone: 'America/Los_Angeles',
    now: '2026-10-31T20:00:00-07:00',
    accepts: [
      ['tomorrow 1:30am', '2026-11-01T01:30:00-07:00'],
      ['2026-11-01 01:00', '2026-11-01T01:00:00-07:00'],
      ['2026-11-01 02:00', '2026-11-01T02:00:00-08:00'],
      ['tomorrow 9am', '2026-11-01T09:00:00-08:00'],
      ['in 1 day', '2026-11-01T20:00:00-08:00'],
      ['in 24 hours', '2026-11-01T19:00:00-08:00'],
      ['in 2 hours', '2026-10-31T22:00:00-07:00'],
      ['midnight', '2026-11-01T00:00:00-07:00'],
      ['next week', '2026-11-02T09:00:00-08:00'],
      ['end of week', '2026-11-06T17:00:00-08:00'],
      ['in 1 week', '2026-11-07T20:00:00-08:00'],
    ],
  },
  {
    name: 'Berlin, the evening before clocks go forward (2026-03-29 02:00 → 03:00)',
    zone: 'Europe/Berlin',
    now: '2026-03-28T20:00:00+01:00',
    accepts: [
      ['tomorrow 9am', '2026-03-29T09:00:00+02:00'],
      ['tomorrow 2:30am', '2026-03-29T03:30:00+02:00'],
      ['2026-03-29 02:00', '2026-03-29T03:00:00+02:00'],
      ['in 1 day', '2026-03-29T20:00:00+02:00'],
      ['in 24 hours', '2026-03-29T21:00:00+02:00'],
      ['in 1 week', '2026-04-04T20:00:00+02:00'],
      ['29 March 2026 14:00', '2026-03-29T14:00:00+02:00'],
      ['end of month', '2026-03-31T17:00:00+02:00'],
      ['next week', '2026-03-30T09:00:00+02:00'],
      ['midnight', '2026-03-29T00:00:00+01:00'],
      ['tonight', '2026-03-28T22:00:00+01:00'],
    ],
  },
  {
    name: 'Berlin, the evening before clocks go back (2026-10-25 03:00 → 02:00)',
    zone: 'Europe/Berlin',
    now: '2026-10-24T18:00:00+02:00',
    accepts: [
      ['tomorrow 2:30am', '2026-10-25T02:30:00+02:00'],
      ['25 October 2026 02:59', '2026-10-25T02:59:00+02:00'],
      ['2026-10-25 03:00', '2026-10-25T03:00:00+01:00'],
      ['tomorrow 9am', '2026-10-25T09:00:00+01:00'],
      ['in 1 day', '2026-10-25T18:00:00+01:00'],
      ['in 24 hours', '2026-10-25T17:00:00+01:00'],
      ['in 1 month', '2026-11-24T18:00:00+01:00'],
      ['end of week', '2026-10-30T17:00:00+01:00'],
    ],
  },
  {
    name: 'Kolkata, no daylight saving, half-hour offset',
    zone: 'Asia/Kolkata',
    now: '2026-11-22T10:00:00+05:30',
    accepts: [
      ['tomorrow', '2026-11-23T09:00:00+05:30'],
      ['eod', '2026-11-22T17:00:00+05:30'],
      ['5pm', '2026-11-22T17:00:00+05:30'],
      ['9am', '2026-11-23T09:00:00+05:30'],
      ['tonight', '2026-11-22T22:00:00+05:30'],
      ['midnight', '2026-11-23T00:00:00+05:30'],
      ['in 36 hours', '2026-11-23T22:00:00+05:30'],
      ['next friday', '2026-11-27T09:00:00+05:30'],
      ['Dec 3 9:30am', '2026-12-03T09:30:00+05:30'],
      ['12/03', '2026-12-03T09:00:00+05:30'],
      ['2026-12-03 14:00 UTC', '2026-12-03T14:00:00Z'],
      ['5pm PST', '2026-11-22T17:00:00-08:00'],
      ['17:00 Europe/Berlin', '2026-11-22T17:00:00+01:00'],
      ['in 1 month', '2026-12-22T10:00:00+05:30'],
      ['end of month', '2026-11-30T17:00:00+05:30'],
      ['end of week', '2026-11-27T17:00:00+05:30'],
      ['+2d', '2026-11-24T10:00:00+05:30'],
      ['in 2 weeks', '2026-12-06T10:00:00+05:30'],
    ],
  },
  {
    name: 'Sydney, the evening before clocks go back (2026-04-05 03:00 → 02:00)',
    zone: 'Australia/Sydney',
    now: '2026-04-04T20:00:00+11:00',
    accepts: [
      ['tomorrow 2:30am', '2026-04-05T02:30:00+11:00'],
      ['tomorrow 9am', '2026-04-05T09:00:00+10:00'],
      ['in 1 day', '2026-04-05T20:00:00+10:00'],
      ['in 24 hours', '2026-04-05T19:00:00+10:00'],
      ['midnight', '2026-04-05T00:00:00+11:00'],
      ['next week', '2026-04-06T09:00:00+10:00'],
    ],
  },
  {
    name: 'Sydney, the day before clocks go forward (2026-10-04 02:00 → 03:00)',
    zone: 'Australia/Sydney',
    now: '2026-10-03T12:00:00+10:00',
    accepts: [
      ['tomorrow 2:30am', '2026-10-04T03:30:00+11:00'],
      ['tomorrow 9am', '2026-10-04T09:00:00+11:00'],
      ['in 1 week', '2026-10-10T12:00:00+11:00'],
      ['eod', '2026-10-03T17:00:00+10:00'],
      ['next week', '2026-10-05T09:00:00+11:00'],
      ['in 24 hours', '2026-10-04T13:00:00+11:00'],
    ],
  },
  {
    name: 'Auckland, the day before clocks go forward (2026-09-27 02:00 → 03:00)',
    zone: 'Pacific/Auckland',
    now: '2026-09-26T09:00:00+12:00',
    accepts: [
      ['tomorrow 2:30am', '2026-09-27T03:30:00+13:00'],
      ['tomorrow 9am', '2026-09-27T09:00:00+13:00'],
      ['in 1 day', '2026-09-27T09:00:00+13:00'],
      ['in 24 hours', '2026-09-27T10:00:00+13:00'],
      ['end of month', '2026-09-30T17:00:00+13:00'],
      ['eod', '2026-09-26T17:00:00+12:00'],
    ],
  },
  {
    name: 'Auckland, the evening before clocks go back (2026-04-05 03:00 → 02:00)',
    zone: 'Pacific/Auckland',
    now: '2026-04-04T21:00:00+13:00',
    accepts: [
      ['tomorrow 2:30am', '2026-04-05T02:30:00+13:00'],
      ['tomorrow 9am', '2026-04-05T09:00:00+12:00'],
      ['in 1 day', '2026-04-05T21:00:00+12:00'],
      ['in 24 hours', '2026-04-05T20:00:00+12:00'],
      ['midnight', '2026-04-05T00:00:00+13:00'],
    ],
  },
  {
    name: 'Month ends clamp (Berlin, Oct 31)',
    zone: 'Europe/Berlin',
    now: '2026-10-31T10:00:00+01:00',
    accepts: [
      ['in 1 month', '2026-11-30T10:00:00+01:00'],
      ['in 2 months', '2026-12-31T10:00:00+01:00'],
      ['in 4 months', '2027-02-28T10:00:00+01:00'],
      ['end of month', '2026-10-31T17:00:00+01:00'],
      ['next month', '2026-11-01T09:00:00+01:00'],
    ],
  },
  {
    name: 'Month ends clamp (UTC, Jan 31 in a leap year)',
    zone: 'UTC',
    now: '2028-01-31T12:00:00Z',
    accepts: [
      ['in 1 month', '2028-02-29T12:00:00Z'],
      ['end of next month', '2028-02-29T17:00:00Z'],
      ['in 1 year', '2029-01-31T12:00:00Z'],
      ['Feb 29', '2028-02-29T09:00:00Z'],
    ],
  },
  {
    name: 'Dates already gone this year roll to next year (UTC, Dec 5)',
    zone: 'UTC',
    now: '2026-12-05T12:00:00Z',
    accepts: [
      ['Dec 3', '2027-12-03T09:00:00Z'],
      ['12/03', '2027-12-03T09:00:00Z'],
      ['next month', '2027-01-01T09:00:00Z'],
      ['end of month', '2026-12-31T17:00:00Z'],
    ],
    refuses: [['2026-12-03', PAST]],
  },
  {
    name: 'New forms, Los Angeles, the night before clocks go forward (2027-03-14 02:00 → 03:00)',
    zone: 'America/Los_Angeles',
    now: '2027-03-13T22:00:00-08:00',
    accepts: [
      ['9 tomorrow morning', '2027-03-14T09:00:00-07:00'],
      ['half past 2 am tomorrow', '2027-03-14T03:30:00-07:00'],
      ['2:30 tomorrow morning', '2027-03-14T03:30:00-07:00'],
      ['same time tomorrow', '2027-03-14T22:00:00-07:00'],
      ['in 2 and a half hours', '2027-03-14T00:30:00-08:00'],
      ['in 4 and a half hours', '2027-03-14T03:30:00-07:00'],
      ['day after tomorrow 5pm', '2027-03-15T17:00:00-07:00'],
      ['first sunday of next month', '2027-04-04T09:00:00-07:00'],
      ['in 1 business day', '2027-03-15T22:00:00-07:00'],
      ['9am ET tomorrow', '2027-03-14T09:00:00-04:00'],
    ],
    refuses: [['8 tonight', PAST]],
  },
  {
    name: 'New forms, Los Angeles, the evening before clocks go back (2026-11-01 02:00 → 01:00)',
    zone: 'America/Los_Angeles',
    now: '2026-10-31T22:00:00-07:00',
    accepts: [
      ['same time tomorrow', '2026-11-01T22:00:00-08:00'],
      ['in 3 and a half hours', '2026-11-01T01:30:00-07:00'],
      ['in 4 and a half hours', '2026-11-01T01:30:00-08:00'],
      ['half past 1 am tomorrow', '2026-11-01T01:30:00-07:00'],
      ['11 tonight', '2026-10-31T23:00:00-07:00'],
    ],
  },
  {
    name: 'New forms, Berlin and Sydney across their changes',
    zone: 'Europe/Berlin',
    now: '2026-03-28T20:00:00+01:00',
    accepts: [
      ['same time tomorrow', '2026-03-29T20:00:00+02:00'],
      ['half past two tomorrow morning', '2026-03-29T03:30:00+02:00'],
      ['9 tomorrow morning', '2026-03-29T09:00:00+02:00'],
      ['5pm CEST tomorrow', '2026-03-29T17:00:00+02:00'],
    ],
    refuses: [['5pm CET tomorrow', /not in use/]],
  },
  {
    name: 'New forms, Sydney, the evening before clocks go back (2026-04-05 03:00 → 02:00)',
    zone: 'Australia/Sydney',
    now: '2026-04-04T20:00:00+11:00',
    accepts: [
      ['8 tomorrow evening', '2026-04-05T20:00:00+10:00'],
      ['quarter past 2 tomorrow morning', '2026-04-05T02:15:00+11:00'],
      ['10 tonight', '2026-04-04T22:00:00+11:00'],
    ],
  },
];

describe('parseWhen', () => {
  for (const s of scenarios) {
    describe(`${s.name} — now ${s.now}`, () => {
      const now = new Date(s.now);
      it.each(s.accepts)('%j → %s', (text, expected) => {
        const result = parseWhen(text, { now, timeZone: s.zone });
        if (!result.ok) throw new Error(`refused: ${result.reason}`);
        expect(new Date(result.ms).toISOString()).toBe(new Date(expected).toISOString());
      });
      if (s.refuses?.length) {
        it.each(s.refuses)('refuses %j', (text, reason) => {
          const result = parseWhen(text, { now, timeZone: s.zone });
          expect(result.ok, JSON.stringify(result)).toBe(false);
          if (!result.ok) expect(result.reason).toMatch(reason);
        });
      }
    });
  }

  describe('the same forms in every zone (expectations derived with Luxon)', () => {
    const zones = [
      'America/Los_Angeles',
      'Europe/Berlin',
      'Asia/Kolkata',
      'Australia/Sydney',
      'Pacific/Auckland',
    ];
    // Mid-November Wednesday 10:00 local: no daylight-saving change within two weeks anywhere here.
    const forms: Array<[string, (now: DateTime) => DateTime]> = [
      ['tomorrow', (n) => n.plus({ days: 1 }).set({ hour: 9, minute: 0 })],
      ['tomorrow 4pm', (n) => n.plus({ days: 1 }).set({ hour: 16, minute: 0 })],
      ['friday 5pm', (n) => n.plus({ days: 2 }).set({ hour: 17, minute: 0 })],
      ['Dec 3 9:30am', (n) => n.set({ month: 12, day: 3, hour: 9, minute: 30 })],
      ['2026-12-03 14:00', (n) => n.set({ month: 12, day: 3, hour: 14, minute: 0 })],
      ['in 36 hours', (n) => n.plus({ hours: 36 })],
      ['in 2 weeks', (n) => n.plus({ weeks: 2 })],
      ['eod', (n) => n.set({ hour: 17, minute: 0 })],
    ];
    for (const zone of zones) {
      const local = DateTime.fromObject({ year: 2026, month: 11, day: 18, hour: 10 }, { zone });
      it.each(forms)(`${zone}: %j`, (text, expect_) => {
        const result = parseWhen(text, { now: local.toJSDate(), timeZone: zone });
        if (!result.ok) throw new Error(result.reason);
        expect(result.ms).toBe(expect_(local).toMillis());
      });
    }
  });

  it('describes what it read for the confirmation', () => {
    const result = parseWhen('next friday 5pm', {
      now: new Date('2026-11-22T14:00:00-08:00'),
      timeZone: 'America/Los_Angeles',
    });
    expect(result).toEqual({
      ok: true,
      ms: Date.parse('2026-11-28T01:00:00Z'),
      timeZone: 'America/Los_Angeles',
      understood: 'next friday 5pm',
      display: {
        local: 'Fri 27 Nov 2026, 17:00 PST',
        relative: 'in 5 days',
        utc: '2026-11-28 01:00 UTC',
        slack: '<!date^1795827600^{date_short_pretty} at {time}|2026-11-28 01:00 UTC>',
      },
    });
  });

  it('a refusal says what it understood and why', () => {
    const result = parseWhen('3pm please', {
      now: new Date('2026-11-22T22:00:00Z'),
      timeZone: 'UTC',
    });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('"3pm"') });
    const past = parseWhen('9am', { now: new Date('2026-11-22T22:00:00Z'), timeZone: 'UTC' });
    expect(past.ok).toBe(true);
    const gone = parseWhen('today 9am', { now: new Date('2026-11-22T22:00:00Z'), timeZone: 'UTC' });
    expect(gone).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Sun 22 Nov 2026, 09:00 UTC, which is already past/),
    });
  });

  it('reads an abbreviation used for several zones as the person’s own when they live in one', () => {
    const read = (text: string, timeZone: string, now: string) =>
      parseWhen(text, { now: new Date(now), timeZone });
    expect(read('5pm IST', 'Asia/Kolkata', '2027-06-14T08:05:00+05:30')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-06-14T17:00:00+05:30'),
    });
    expect(read('5pm BST', 'Europe/London', '2027-06-14T08:05:00+01:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-06-14T17:00:00+01:00'),
    });
    expect(read('5pm CST', 'America/Chicago', '2027-01-14T08:05:00-06:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-01-14T17:00:00-06:00'),
    });
    // Said in Dublin, IST is Irish; in Shanghai, CST is China's.
    expect(read('5pm IST', 'Europe/Dublin', '2027-06-14T08:05:00+01:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-06-14T17:00:00+01:00'),
    });
    expect(read('5pm CST', 'Asia/Shanghai', '2027-06-14T08:05:00+08:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-06-14T17:00:00+08:00'),
    });
    // Out of season it is still a question.
    expect(read('5pm BST', 'Europe/London', '2027-01-14T08:05:00Z')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/BST is not in use/),
    });
  });

  it('reads IST, CST and BST said elsewhere as most English speakers mean them, and shows that zone', () => {
    const read = (text: string, now: string) =>
      parseWhen(text, { now: new Date(now), timeZone: 'Europe/Berlin' });
    expect(read('5pm IST', '2027-06-14T08:05:00+02:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-06-14T17:00:00+05:30'),
      timeZone: 'Asia/Kolkata',
      display: { local: 'Mon 14 Jun 2027, 17:00 IST' },
    });
    expect(read('5pm CST', '2027-01-14T08:05:00+01:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-01-14T17:00:00-06:00'),
      display: { local: 'Thu 14 Jan 2027, 17:00 CST' },
    });
    expect(read('Friday 8 am BST', '2027-06-14T08:05:00+02:00')).toMatchObject({
      ok: true,
      ms: Date.parse('2027-06-18T08:00:00+01:00'),
      display: { local: 'Fri 18 Jun 2027, 08:00 BST' },
    });
    expect(read('5pm CST', '2027-06-14T08:05:00+02:00')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/CST is not in use on .* say CT/),
    });
    expect(read('5pm AST', '2027-06-14T08:05:00+02:00')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Atlantic or Arabia/),
    });
  });

  it('refuses an unknown time zone instead of guessing one', () => {
    expect(parseWhen('tomorrow', { now: new Date(), timeZone: 'Mars/Olympus' })).toMatchObject({ ok: false });
  });

  it('never throws, whatever it is given', () => {
    const now = new Date('2026-11-22T22:00:00Z');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.string({ unit: 'grapheme', maxLength: 40 }),
          fc
            .array(
              fc.constantFrom(
                'in',
                '2',
                'weeks',
                'at',
                '5pm',
                'tomorrow',
                'dec',
                '3',
                ':',
                '+',
                'Europe/Berlin',
                'and',
                '-',
                'eod',
                '/',
              ),
              { maxLength: 8 },
            )
            .map((words) => words.join(' ')),
        ),
        fc.constantFrom('UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland', 'Not/AZone'),
        (text, timeZone) => {
          const result = parseWhen(text, { now, timeZone });
          expect(typeof result.ok).toBe('boolean');
          if (result.ok) {
            expect(Number.isInteger(result.ms)).toBe(true);
            expect(result.ms).toBeGreaterThan(now.getTime());
          } else {
            expect(result.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
