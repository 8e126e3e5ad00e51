import { describe, expect, it } from 'vitest';
import { LdNetworkError, LdRateLimitError, LdTimeoutError } from '../../src/launchdarkly/errors.js';
import { LD_MAX_IN_FLIGHT, type LdWait, reportingWaits } from '../../src/launchdarkly/http.js';
import { addOn, clientFor, FLAG, PROJECT, seededFakePerFile } from '../helpers/ld-fixtures.js';

/** Issue 18's LaunchDarkly faults, over real HTTP: deadlines, outages, per-route rate limits. */

const fake = await seededFakePerFile();
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const add = (key: string) => addOn(fake, key);
const isPatch = (r: { method: string }) => r.method === 'PATCH';
const elapsed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const result = await work().catch((e: unknown) => e);
  return { result, ms: Date.now() - started };
};

describe('deadlines', () => {
  it('a read that never answers ends in a typed time-out within the call deadline, not attempts × timeout', async () => {
    const { client } = clientFor(fake, { sleep: realSleep, attemptTimeoutMs: 1_500, deadlineMs: 3_500 });
    fake.fail({ status: 200, hang: 'silent', times: 100 });
    const { result, ms } = await elapsed(() => client.getFlag(PROJECT, 'new-checkout', 'production'));
    expect(result).toBeInstanceOf(LdTimeoutError);
    expect(result).toBeInstanceOf(LdNetworkError);
    // Bounded by the call's deadline, not by attempts × timeout (nine attempts of 1.5 s).
    expect(ms).toBeGreaterThanOrEqual(3_000);
    expect(ms).toBeLessThan(5_000);
    expect(fake.requests.length).toBeLessThanOrEqual(3);
  });

  it('an answer whose body never finishes is cut off too', async () => {
    const { client } = clientFor(fake, { sleep: realSleep, attemptTimeoutMs: 300, deadlineMs: 300 });
    fake.fail({ status: 200, hang: 'after-headers' });
    const { result, ms } = await elapsed(() => client.getExpiringUserTargets(FLAG));
    expect(result).toBeInstanceOf(LdTimeoutError);
    expect(ms).toBeLessThan(1_000);
  });

  it('a PATCH that timed out is not repeated: whether it applied is unknown, and the error says so by its type', async () => {
    const { client } = clientFor(fake, { sleep: realSleep, attemptTimeoutMs: 300 });
    fake.fail({ status: 200, hang: 'silent', match: isPatch });
    const { result } = await elapsed(() => client.patchExpiringTargets(FLAG, [add('sandy')], 'c'));
    expect(result).toBeInstanceOf(LdTimeoutError);
    expect(fake.patches()).toHaveLength(1);
    // The client is not wedged: the next call goes through.
    await client.patchExpiringTargets(FLAG, [add('sandy')], 'c');
    expect(fake.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
  });

  it('more calls than connections wait their turn before their attempt’s time starts, not inside it', async () => {
    const { client } = clientFor(fake, { sleep: realSleep, attemptTimeoutMs: 900, deadlineMs: 10_000 });
    fake.delayMs = 300;
    let open = 0;
    let most = 0;
    fake.delayOf = () => {
      most = Math.max(most, ++open);
      setTimeout(() => open--, 300);
      return 0;
    };
    // 100 reads at once, LD_MAX_IN_FLIGHT (32) at a time: four rounds of 300 ms, longer than one
    // attempt may take. Waiting for a socket inside the attempt would time the last rounds out.
    const answers = await Promise.all(Array.from({ length: 100 }, () => client.listEnvironments(PROJECT)));
    expect(answers.every((a) => a.length === 3)).toBe(true);
    expect(fake.requests).toHaveLength(100);
    expect(most).toBeLessThanOrEqual(LD_MAX_IN_FLIGHT);
  });
});

describe('outages', () => {
  it('rides out a 4.5 s outage with back-off even when every jitter is the shortest', async () => {
    let clock = 0;
    const waits: number[] = [];
    const { client } = clientFor(fake, {
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      random: () => 0,
    });
    fake.fail({ status: 503, match: () => clock < 4_500, times: 1_000 });
    expect(await client.getExpiringUserTargets(FLAG)).toEqual([]);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4_500);
    // …with a cap: no single back-off is longer than 2 s.
    expect(Math.max(...waits)).toBeLessThanOrEqual(2_000);
  });

  it('gives up on a longer outage within the deadline', async () => {
    let clock = 0;
    const { client } = clientFor(fake, {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    fake.fail({ status: 503, times: 1_000 });
    const error = await client.getExpiringUserTargets(FLAG).catch((e) => e);
    expect(error.status).toBe(503);
    expect(clock).toBeLessThanOrEqual(15_000);
  });
});

describe('rate limits are per route', () => {
  it('a 429 with Retry-After: 60 on one PATCH fails that call at once and holds back nothing else', async () => {
    const { client } = clientFor(fake, { sleep: realSleep });
    fake.fail({ status: 429, headers: { 'Retry-After': '60' }, match: isPatch });
    const patch = await elapsed(() => client.patchExpiringTargets(FLAG, [add('sandy')], 'c'));
    expect(patch.result).toBeInstanceOf(LdRateLimitError);
    expect((patch.result as LdRateLimitError).retryAfterMs).toBe(60_000);
    expect(patch.ms).toBeLessThan(1_000);

    // Reads on other routes go straight through…
    const read = await elapsed(() => client.getFlag(PROJECT, 'new-checkout', 'production'));
    expect(read.result).toMatchObject({ key: 'new-checkout' });
    expect(read.ms).toBeLessThan(1_000);
    // …while the limited route is not hammered: the next PATCH there fails without a request.
    const before = fake.patches().length;
    const again = await client.patchExpiringTargets(FLAG, [add('sandy')], 'c').catch((e) => e);
    expect(again).toBeInstanceOf(LdRateLimitError);
    expect(again.retryAfterMs).toBeGreaterThan(58_000);
    expect(fake.patches()).toHaveLength(before);
  });

  it('while one route waits out a short 429, another route is answered meanwhile; the waiting call then succeeds', async () => {
    const { client } = clientFor(fake, { sleep: realSleep, random: () => 0 });
    fake.fail({ status: 429, headers: { 'Retry-After': '1' }, match: isPatch });
    const started = Date.now();
    const patch = client.patchExpiringTargets(FLAG, [add('sandy')], 'c').then(() => Date.now() - started);
    await new Promise((r) => setTimeout(r, 100));
    const readMs = await client.getCallerIdentity().then(() => Date.now() - started);
    expect(readMs).toBeLessThan(800);
    expect(await patch).toBeGreaterThanOrEqual(1_000);
    expect(fake.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
  });

  it('the account-wide budget is the ceiling: when it runs out, every route waits for the reset', async () => {
    const now = 9_000_000;
    const { client, waits } = clientFor(fake, { now: () => now });
    fake.fail({
      status: 200,
      body: { accountId: 'a' },
      headers: { 'X-Ratelimit-Global-Remaining': '0', 'X-Ratelimit-Reset': String(now + 2_000) },
    });
    await client.getCallerIdentity();
    await client.getFlag(PROJECT, 'new-checkout', 'production');
    expect(waits).toEqual([2_000]);
  });

  it('paces a route that is running low instead of running into a 429', async () => {
    const now = 9_000_000;
    const { client, waits } = clientFor(fake, { now: () => now });
    fake.fail({
      status: 200,
      body: { accountId: 'a' },
      headers: { 'X-Ratelimit-Route-Remaining': '2', 'X-Ratelimit-Reset': String(now + 3_000) },
    });
    await client.getCallerIdentity();
    await Promise.all([
      client.getCallerIdentity(),
      client.getCallerIdentity(),
      client.listEnvironments(PROJECT),
    ]);
    // Two requests left in 3 s on that route: 1.5 s apart; the other route was not slowed.
    expect(waits).toEqual([1_500]);
  });

  it('tells whoever is waiting, and for how long, before it waits', async () => {
    const seen: LdWait[] = [];
    const { client, waits } = clientFor(fake, { onWait: (w) => seen.push(w) });
    fake.fail({ status: 429, headers: { 'Retry-After': '5' }, match: isPatch });
    const mine: LdWait[] = [];
    await reportingWaits(
      (w) => mine.push(w),
      () => client.patchExpiringTargets(FLAG, [add('sandy')], 'c'),
    );
    await client.getCallerIdentity(); // outside: not reported to `mine`
    expect(mine).toEqual([
      {
        route: 'PATCH /api/v2/flags/{projectKey}/{flagKey}/expiring-user-targets/{environmentKey}',
        ms: waits[0],
        reason: 'rate-limit',
      },
    ]);
    expect(mine[0]!.ms).toBeGreaterThanOrEqual(5_000);
    expect(seen).toEqual(mine);
  });
});
