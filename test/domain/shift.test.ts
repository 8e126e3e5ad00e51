import { describe, expect, it } from 'vitest';
import { describeShift, parseShift, shiftInstant } from '../../src/domain/shift.js';

describe('parseShift', () => {
  it.each([
    ['2 days', { amount: 2, unit: 'day' }],
    ['1 week', { amount: 1, unit: 'week' }],
    ['36 hours', { amount: 36, unit: 'hour' }],
    ['+3d', { amount: 3, unit: 'day' }],
    ['+36h', { amount: 36, unit: 'hour' }],
    ['90 minutes', { amount: 90, unit: 'minute' }],
    ['a month', { amount: 1, unit: 'month' }],
    ['by two weeks', { amount: 2, unit: 'week' }],
    ['3 Days', { amount: 3, unit: 'day' }],
  ])('reads %s', (text, shift) => {
    expect(parseShift(text)).toEqual({ ok: true, shift });
  });

  it.each(['tomorrow', 'next friday', '2', 'days', '-2 days', '2 fortnights', '0 days', ''])(
    'refuses %j with examples',
    (text) => {
      const parsed = parseShift(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toContain('"2 days"');
    },
  );

  it('refuses more than five years', () => {
    expect(parseShift('61 months')).toEqual({ ok: false, problem: '61 months is more than five years.' });
    expect(parseShift('60 months').ok).toBe(true);
  });

  it('names a shift as people say it', () => {
    expect(describeShift({ amount: 1, unit: 'week' })).toBe('1 week');
    expect(describeShift({ amount: 36, unit: 'hour' })).toBe('36 hours');
  });
});

describe('shiftInstant', () => {
  const la = 'America/Los_Angeles';
  it('keeps the clock time across a DST change for calendar steps', () => {
    // Fri 2027-03-12 17:00 PST → Sun 2027-03-14 17:00 PDT.
    expect(shiftInstant(Date.parse('2027-03-13T01:00:00Z'), { amount: 2, unit: 'day' }, la)).toBe(
      Date.parse('2027-03-15T00:00:00Z'),
    );
    // Berlin, autumn: Sat 2026-10-24 09:00 CEST + 1 week → Sat 2026-10-31 09:00 CET.
    expect(
      shiftInstant(Date.parse('2026-10-24T07:00:00Z'), { amount: 1, unit: 'week' }, 'Europe/Berlin'),
    ).toBe(Date.parse('2026-10-31T08:00:00Z'));
  });

  it('counts hours and minutes as elapsed time across the same change', () => {
    expect(shiftInstant(Date.parse('2027-03-13T01:00:00Z'), { amount: 48, unit: 'hour' }, la)).toBe(
      Date.parse('2027-03-15T01:00:00Z'),
    );
    expect(shiftInstant(0, { amount: 90, unit: 'minute' }, la)).toBe(90 * 60_000);
  });

  it('ends a month step on the last day of a shorter month', () => {
    // Sat 2027-01-30 … Jan 31 09:00 in Auckland + 1 month → Feb 28 09:00.
    const jan31 = Date.parse('2027-01-30T20:00:00Z');
    expect(shiftInstant(jan31, { amount: 1, unit: 'month' }, 'Pacific/Auckland')).toBe(
      Date.parse('2027-02-27T20:00:00Z'),
    );
    expect(shiftInstant(Date.parse('2026-12-15T17:00:00Z'), { amount: 2, unit: 'month' }, 'UTC')).toBe(
      Date.parse('2027-02-15T17:00:00Z'),
    );
  });
});
