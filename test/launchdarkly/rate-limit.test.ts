import { describe, expect, it } from 'vitest';
import { backoffMs, RateLimits, rateLimitWaitMs, retryAfterMs } from '../../src/launchdarkly/rate-limit.js';
import { routeOf } from '../../src/launchdarkly/routes.js';

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

describe('RateLimits', () => {
  const reset = (ms: number) => String(NOW + ms);

  it('a 429 on one route holds back that route only', () => {
    const limits = new RateLimits();
    limits.limited('PATCH /a', { 'retry-after': '60' }, 60_000, NOW);
    expect(limits.reserve('PATCH /a', NOW)).toBe(60_000);
    expect(limits.reserve('GET /b', NOW)).toBe(0);
    expect(limits.reserve('PATCH /a', NOW + 60_000)).toBe(0);
  });

  it('a 429 that spent the global budget holds back every route', () => {
    const limits = new RateLimits();
    limits.limited('PATCH /a', { 'x-ratelimit-global-remaining': '0' }, 4_000, NOW);
    expect(limits.reserve('GET /b', NOW)).toBe(4_000);
  });

  it('an exhausted window holds its route until the reset; the global one holds all', () => {
    const limits = new RateLimits();
    limits.observe('GET /a', { 'x-ratelimit-route-remaining': '0', 'x-ratelimit-reset': reset(3_000) }, NOW);
    expect(limits.reserve('GET /a', NOW)).toBe(3_000);
    expect(limits.reserve('GET /b', NOW)).toBe(0);
    limits.observe('GET /b', { 'x-ratelimit-global-remaining': '0', 'x-ratelimit-reset': reset(2_000) }, NOW);
    expect(limits.reserve('GET /c', NOW)).toBe(2_000);
  });

  it('spreads the last few requests of a window over what is left of it instead of stopping', () => {
    const limits = new RateLimits();
    limits.observe('GET /a', { 'x-ratelimit-route-remaining': '4', 'x-ratelimit-reset': reset(2_000) }, NOW);
    expect([0, 1, 2, 3].map(() => limits.reserve('GET /a', NOW))).toEqual([0, 500, 1_000, 1_500]);
    expect(limits.reserve('GET /a', NOW + 2_000)).toBe(0);
    expect(limits.reserve('GET /b', NOW)).toBe(0);
  });

  it('does not hold back with room left, no reset, or a reset in the past', () => {
    const limits = new RateLimits();
    limits.observe('GET /a', { 'x-ratelimit-route-remaining': '20', 'x-ratelimit-reset': reset(1) }, NOW);
    limits.observe('GET /a', { 'x-ratelimit-route-remaining': '0' }, NOW);
    limits.observe('GET /a', { 'x-ratelimit-route-remaining': '0', 'x-ratelimit-reset': reset(-1) }, NOW);
    limits.observe('GET /a', {}, NOW);
    expect(limits.reserve('GET /a', NOW)).toBe(0);
  });
});

describe('routeOf', () => {
  it('names LaunchDarkly routes by their template, so limits and metrics group them', () => {
    expect(routeOf('PATCH', '/api/v2/flags/default/new-checkout')).toBe(
      'PATCH /api/v2/flags/{projectKey}/{flagKey}',
    );
    expect(routeOf('GET', '/api/v2/flags/default/x/expiring-user-targets/production')).toBe(
      'GET /api/v2/flags/{projectKey}/{flagKey}/expiring-user-targets/{environmentKey}',
    );
    expect(routeOf('GET', '/api/v2/segments/default/production')).toBe(
      'GET /api/v2/segments/{projectKey}/{environmentKey}',
    );
    expect(routeOf('GET', '/api/v2/members/abc/xyz')).toBe('GET /api/v2/members/…');
  });
});

describe('backoffMs', () => {
  it('grows exponentially up to a cap, half of each step certain', () => {
    expect(backoffMs(0, noJitter)).toBe(125);
    expect(backoffMs(0, maxJitter)).toBeLessThanOrEqual(250);
    expect(backoffMs(3, maxJitter)).toBeLessThanOrEqual(2_000);
    expect(backoffMs(3, noJitter)).toBe(1_000);
    expect(backoffMs(20, maxJitter)).toBeLessThanOrEqual(2_000);
  });
});
