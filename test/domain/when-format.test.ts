import { describe, expect, it } from 'vitest';
import { zoneAbbreviation } from '../../src/domain/time-zone.js';
import { formatLocal, formatRelative, slackDate } from '../../src/domain/when-format.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const MIN = 60_000;

describe('formatRelative', () => {
  it.each([
    [30_000, 'now'],
    [5 * MIN, 'in 5 minutes'],
    [90 * MIN, 'in 90 minutes'],
    [36 * 60 * MIN, 'in 36 hours'],
    [3 * 1_440 * MIN, 'in 3 days'],
    [14 * 1_440 * MIN, 'in 2 weeks'],
    [17 * 1_440 * MIN, 'in 17 days'],
    [61 * 1_440 * MIN, 'in 2 months'],
    [-2 * 1_440 * MIN, '2 days ago'],
  ])('%i ms → %s', (diff, text) => {
    expect(formatRelative(NOW + diff, NOW)).toBe(text);
  });
});

describe('formatLocal and zone names', () => {
  it('names the zone as people know it where Intl can, else by offset', () => {
    expect(formatLocal(Date.parse('2026-12-03T17:30:00Z'), 'America/Los_Angeles')).toBe(
      'Thu 3 Dec 2026, 09:30 PST',
    );
    expect(formatLocal(Date.parse('2026-07-03T17:30:00Z'), 'America/Los_Angeles')).toBe(
      'Fri 3 Jul 2026, 10:30 PDT',
    );
    expect(formatLocal(Date.parse('2026-12-03T17:30:00Z'), 'Europe/Berlin')).toBe(
      'Thu 3 Dec 2026, 18:30 CET',
    );
    expect(zoneAbbreviation(Date.parse('2026-07-03T00:00:00Z'), 'Europe/Berlin')).toBe('CEST');
    expect(zoneAbbreviation(NOW, 'Asia/Kolkata')).toBe('GMT+5:30');
    expect(zoneAbbreviation(NOW, 'UTC')).toBe('UTC');
  });

  it('gives Slack a date token in seconds with a UTC fallback', () => {
    expect(slackDate(Date.parse('2026-12-03T17:30:45Z'))).toBe(
      '<!date^1796319045^{date_short_pretty} at {time}|2026-12-03 17:30 UTC>',
    );
  });
});
