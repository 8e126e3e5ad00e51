import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  holdBackUntil,
  rateLimitWaitMs,
  retryAfterMs,
} from '../../src/launchdarkly/rate-limit.js';

const NOW = 1_700_000_000_000;
const noJitter = () => 0;
const maxJitter = () => 0.999999;

describe('rateLimitWaitMs', () => {
  it('honours Retry-After in seconds and only ever adds jitter', () => {
    expect(rateLimitWaitMs({ 'retry-after': '3' }, NOW, noJitter)).toBe(3_000);
    const jittered = rateLimitWaitMs({ 'retry-after': '3' }, NOW, maxJitter);
    expect(jittered).toBeGreaterThan(3_000);
    expect(jittered).toBeLessThanOrEqual(3_700);
  });

  it('reads Retry-After as an HTTP date too', () => {
    const date = new Date(NOW + 5_000).toUTCString();
    expect(retryAfterMs({ 'retry-after': date }, NOW)).toBe(5_000);
  });

  it('falls back to X-Ratelimit-Reset, ignoring one in the past or absurdly far', () => {
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': String(NOW + 2_500) }, NOW, noJitter)).toBe(2_500);
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': String(NOW - 2_500) }, NOW, noJitter)).toBe(1_000);
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': String(NOW + 3_600_000) }, NOW, noJitter)).toBe(60_000);
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': 'soon' }, NOW, noJitter)).toBe(1_000);
  });

  it('prefers Retry-After over the reset', () => {
    expect(
      rateLimitWaitMs({ 'retry-after': '1', 'x-ratelimit-reset': String(NOW + 9_000) }, NOW, noJitter),
    ).toBe(1_000);
  });
});

describe('holdBackUntil', () => {
  it('holds back until the reset when a remaining count is at one or zero', () => {
    const reset = String(NOW + 4_000);
    expect(holdBackUntil({ 'x-ratelimit-route-remaining': '1', 'x-ratelimit-reset': reset }, NOW)).toBe(
      NOW + 4_000,
    );
    expect(holdBackUntil({ 'x-ratelimit-global-remaining': '0', 'x-ratelimit-reset': reset }, NOW)).toBe(
      NOW + 4_000,
    );
  });

  it('does not hold back with room left, no reset, or a reset in the past', () => {
    expect(
      holdBackUntil({ 'x-ratelimit-route-remaining': '20', 'x-ratelimit-reset': String(NOW + 1) }, NOW),
    ).toBeUndefined();
    expect(holdBackUntil({ 'x-ratelimit-route-remaining': '0' }, NOW)).toBeUndefined();
    expect(
      holdBackUntil({ 'x-ratelimit-route-remaining': '0', 'x-ratelimit-reset': String(NOW - 1) }, NOW),
    ).toBeUndefined();
    expect(holdBackUntil({}, NOW)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('grows exponentially up to a cap', () => {
    expect(backoffMs(0, maxJitter)).toBeLessThanOrEqual(250);
    expect(backoffMs(3, maxJitter)).toBeLessThanOrEqual(2_000);
    expect(backoffMs(3, maxJitter)).toBeGreaterThan(1_000);
    expect(backoffMs(20, maxJitter)).toBeLessThanOrEqual(5_000);
  });
});
