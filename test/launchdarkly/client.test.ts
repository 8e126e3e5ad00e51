import { describe, expect, it } from 'vitest';
import {
  LdApprovalRequiredError,
  LdBadRequestError,
  LdConflictError,
  LdError,
  LdForbiddenError,
  LdNetworkError,
  LdNotFoundError,
  LdRateLimitError,
  LdResponseShapeError,
  LdServerError,
  LdUnauthorizedError,
  LdUnprocessableError,
} from '../../src/launchdarkly/errors.js';
import type { ExpiryChange } from '../../src/launchdarkly/instructions.js';
import { addOn, clientFor, FLAG, PROJECT, SEGMENT, seededFakePerFile } from '../helpers/ld-fixtures.js';

const fake = await seededFakePerFile();
const IN_A_WEEK = Date.now() + 7 * 86_400_000;
const COMMENT = 'via Slack by @alice (U1): /expire flag new-checkout sandy in 1 week';

const on = () => fake.variationId(PROJECT, 'new-checkout', 0);
const add = (key: string, contextKind = 'user', extra: Partial<ExpiryChange> = {}) =>
  addOn(fake, key, { contextKind, value: IN_A_WEEK, ...extra });

describe('expiring targets on a flag', () => {
  it('schedules a user with a semantic patch LaunchDarkly accepts, and reads it back', async () => {
    const { client } = clientFor(fake);
    const result = await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT);

    expect(result.outcomes).toEqual([{ change: add('sandy'), ok: true }]);
    const [patch] = fake.patches();
    expect(patch!.path).toBe('/api/v2/flags/default/new-checkout/expiring-user-targets/production');
    expect(patch!.headers['content-type']).toBe('application/json; domain-model=launchdarkly.semanticpatch');
    expect(patch!.headers['ld-api-version']).toBe('20240415');
    expect(patch!.headers.authorization).toBe(fake.token);
    expect(patch!.body).toEqual({
      comment: COMMENT,
      instructions: [
        { kind: 'addExpireUserTargetDate', userKey: 'sandy', variationId: on(), value: IN_A_WEEK },
      ],
    });
    const items = await client.getExpiringUserTargets(FLAG);
    expect(items).toMatchObject([
      { contextKind: 'user', key: 'sandy', expirationDate: IN_A_WEEK, variationId: on() },
    ]);
  });

  it('sends users and contexts to their own endpoints and answers in the caller order', async () => {
    const { client } = clientFor(fake);
    const changes = [add('acme', 'organization'), add('sandy'), add('bob')];
    const { outcomes } = await client.patchExpiringTargets(FLAG, changes, COMMENT);

    expect(outcomes.map((o) => [o.change.key, o.ok])).toEqual([
      ['acme', true],
      ['sandy', true],
      ['bob', true],
    ]);
    expect(fake.patches().map((p) => p.path)).toEqual([
      '/api/v2/flags/default/new-checkout/expiring-user-targets/production',
      '/api/v2/flags/default/new-checkout/expiring-targets/production',
    ]);
    expect(fake.patches()[1]!.body.instructions).toEqual([
      {
        kind: 'addExpiringTarget',
        contextKey: 'acme',
        contextKind: 'organization',
        variationId: on(),
        value: IN_A_WEEK,
      },
    ]);
    const all = await client.getExpiringTargets(FLAG);
    expect(all.map((t) => `${t.contextKind}:${t.key}`).sort()).toEqual([
      'organization:acme',
      'user:bob',
      'user:sandy',
    ]);
  });

  it.each([0, 1] as const)(
    'maps a 200 with errors[] (instructionIndex from %i) to the target that failed',
    async (base) => {
      fake.instructionIndexBase = base;
      const { client } = clientFor(fake);
      const { outcomes } = await client.patchExpiringTargets(
        FLAG,
        [add('sandy'), add('nobody'), add('bob')],
        COMMENT,
      );

      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      expect(outcomes[1]).toMatchObject({
        ok: false,
        change: { key: 'nobody' },
        message: expect.stringContaining('nobody is not individually targeted'),
      });
    },
  );

  it('updates with the version and removes with the variation', async () => {
    const { client } = clientFor(fake);
    await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT);
    const [current] = await client.getExpiringUserTargets(FLAG);
    const later = IN_A_WEEK + 86_400_000;
    const update = { ...add('sandy'), op: 'update' as const, value: later, version: current!.version };
    expect((await client.patchExpiringTargets(FLAG, [update], COMMENT)).outcomes[0]!.ok).toBe(true);
    expect(fake.patches()[1]!.body.instructions[0]).toEqual({
      kind: 'updateExpireUserTargetDate',
      userKey: 'sandy',
      variationId: on(),
      value: later,
      version: current!.version,
    });
    const stale = await client.patchExpiringTargets(FLAG, [update], COMMENT);
    expect(stale.outcomes[0]).toMatchObject({
      ok: false,
      message: expect.stringContaining('Version mismatch'),
    });

    const remove: ExpiryChange = { op: 'remove', contextKind: 'user', key: 'sandy', variationId: on() };
    expect((await client.patchExpiringTargets(FLAG, [remove], COMMENT)).outcomes[0]!.ok).toBe(true);
    expect(fake.patches()[3]!.body.instructions[0]).toEqual({
      kind: 'removeExpireUserTargetDate',
      userKey: 'sandy',
      variationId: on(),
    });
    expect(fake.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
  });
});

describe('expiring targets on a segment', () => {
  it('schedules included users and excluded-or-included contexts with a target type', async () => {
    const { client } = clientFor(fake);
    const changes: ExpiryChange[] = [
      { op: 'add', contextKind: 'user', key: 'sandy', targetType: 'included', value: IN_A_WEEK },
      { op: 'add', contextKind: 'user', key: 'mallory', targetType: 'excluded', value: IN_A_WEEK },
      { op: 'add', contextKind: 'organization', key: 'acme', targetType: 'included', value: IN_A_WEEK },
      { op: 'add', contextKind: 'user', key: 'bob', targetType: 'excluded', value: IN_A_WEEK },
    ];
    const { outcomes } = await client.patchExpiringTargets(SEGMENT, changes, COMMENT);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
    expect(outcomes[3]).toMatchObject({ message: 'user bob is not excluded in segment beta-testers' });
    expect(fake.patches()[0]!.path).toBe(
      '/api/v2/segments/default/beta-testers/expiring-user-targets/production',
    );
    expect(fake.patches()[0]!.body.instructions[0]).toEqual({
      kind: 'addExpireUserTargetDate',
      userKey: 'sandy',
      targetType: 'included',
      value: IN_A_WEEK,
    });
    expect(fake.patches()[1]!.body.instructions[0]).toEqual({
      kind: 'addExpiringTarget',
      contextKey: 'acme',
      contextKind: 'organization',
      targetType: 'included',
      value: IN_A_WEEK,
    });
    const all = await client.getExpiringTargets(SEGMENT);
    expect(all.find((t) => t.key === 'mallory')).toMatchObject({ targetType: 'excluded' });
  });
});

describe('batches', () => {
  it('splits large requests and maps every result back to its place', async () => {
    const keys = Array.from({ length: 1_201 }, (_, i) => `user-${i}`);
    fake.addFlag(PROJECT, {
      key: 'big',
      targets: { production: [{ variation: 0, values: keys.slice(0, 1_200) }] },
    });
    const { client } = clientFor(fake, { batchSize: 500 });
    const ref = { ...FLAG, key: 'big' };
    const variationId = fake.variationId(PROJECT, 'big', 0);
    const progress: number[] = [];
    const { outcomes } = await client.patchExpiringTargets(
      ref,
      keys.map((key) => ({ op: 'add', contextKind: 'user', key, variationId, value: IN_A_WEEK })),
      COMMENT,
      (p) => progress.push(p.done),
    );
    expect(fake.patches().map((p) => p.body.instructions.length)).toEqual([500, 500, 201]);
    expect(progress).toEqual([500, 1_000, 1_201]);
    expect(outcomes.map((o) => o.change.key)).toEqual(keys);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.change.key)).toEqual(['user-1200']);
  });

  it('never sends more than 1,500 segment targets in one request', async () => {
    const keys = Array.from({ length: 3_001 }, (_, i) => `u${i}`);
    const { client } = clientFor(fake, { batchSize: 5_000 });
    await client.grantSegmentTargets(
      {
        projectKey: PROJECT,
        environmentKey: 'production',
        segmentKey: 'beta-testers',
        targetType: 'included',
        targets: keys.map((key) => ({ contextKind: 'user', key })),
      },
      COMMENT,
    );
    expect(fake.patches().map((p) => p.body.instructions[0].values.length)).toEqual([1_500, 1_500, 1]);
    expect(fake.segmentMembers(PROJECT, 'production', 'beta-testers', 'included').get('user')?.size).toBe(
      3_003,
    ); // + sandy and bob
  });

  it('when a later batch fails, keeps what was applied and marks the rest failed without sending them', async () => {
    const { client } = clientFor(fake, { batchSize: 1 });
    fake.fail({
      status: 403,
      match: (r) => r.method === 'PATCH' && r.body.instructions[0].userKey === 'bob',
    });
    const { outcomes } = await client.patchExpiringTargets(
      FLAG,
      [add('sandy'), add('bob'), add('acme', 'organization')],
      COMMENT,
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false]);
    expect(outcomes[1]).toMatchObject({ error: expect.any(LdForbiddenError) });
    expect(outcomes[2]).toMatchObject({ error: expect.any(LdForbiddenError) });
    expect(fake.patches()).toHaveLength(2);
  });
});

describe('errors', () => {
  const cases = [
    [400, LdBadRequestError, 'invalid_request'],
    [401, LdUnauthorizedError, 'unauthorized'],
    [403, LdForbiddenError, 'forbidden'],
    [404, LdNotFoundError, 'not_found'],
    [405, LdApprovalRequiredError, 'method_not_allowed'],
    [409, LdConflictError, 'optimistic_locking_error'],
    [422, LdUnprocessableError, 'unprocessable_entity'],
    [500, LdServerError, 'internal_server_error'],
    [503, LdServerError, 'internal_server_error'],
  ] as const;

  it.each(cases)(
    'a PATCH answered %i is a %o carrying code and message, sent once',
    async (status, ErrorClass, code) => {
      const { client } = clientFor(fake);
      fake.fail({ status, times: 10 });
      const error = await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT).catch((e) => e);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ status, code, ldMessage: expect.any(String) });
      expect(error.message).toContain(error.ldMessage);
      expect(fake.requests).toHaveLength(1);
    },
  );

  it('a real 404 names the unknown flag path; a wrong token is a 401', async () => {
    const { client } = clientFor(fake);
    const missing = await client.getExpiringUserTargets({ ...FLAG, key: 'nope' }).catch((e) => e);
    expect(missing).toBeInstanceOf(LdNotFoundError);
    expect(missing.path).toBe('/api/v2/flags/default/nope/expiring-user-targets/production');
    const { client: wrong } = clientFor(fake, { accessToken: 'api-wrong-token-123456' });
    const denied = await wrong.getFlag(PROJECT, 'new-checkout', 'production').catch((e) => e);
    expect(denied).toBeInstanceOf(LdUnauthorizedError);
  });

  it('retries a GET after 5xx but not a PATCH', async () => {
    const { client, waits } = clientFor(fake);
    fake.fail({ status: 502, times: 2 });
    const items = await client.getExpiringUserTargets(FLAG);
    expect(items).toEqual([]);
    expect(fake.requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('does not retry a PATCH whose connection dropped (it may have been applied), but does a GET', async () => {
    const { client } = clientFor(fake);
    fake.fail({ status: 0, destroy: true });
    const error = await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT).catch((e) => e);
    expect(error).toBeInstanceOf(LdNetworkError);
    expect(fake.requests).toHaveLength(1);

    fake.fail({ status: 0, destroy: true });
    expect(await client.getExpiringUserTargets(FLAG)).toEqual([]);
  });

  it('retries a PATCH whose connection was refused (certainly not sent), then gives up with a network error', async () => {
    const { client, waits } = clientFor(fake, { baseUri: 'http://127.0.0.1:1', maxRetries: 2 });
    const error = await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT).catch((e) => e);
    expect(error).toBeInstanceOf(LdNetworkError);
    expect(error.networkCode).toBe('ECONNREFUSED');
    expect(waits).toHaveLength(2);
  });

  it('turns an answer of the wrong shape into a typed error, not a crash later', async () => {
    const { client } = clientFor(fake);
    fake.fail({ status: 200, body: { items: [{ userKey: 42 }] } });
    const error = await client.getExpiringUserTargets(FLAG).catch((e) => e);
    expect(error).toBeInstanceOf(LdResponseShapeError);
    expect(error.issues.join()).toMatch(/items\.0\./);

    fake.fail({ status: 200, body: 'not json' });
    await expect(client.getFlag(PROJECT, 'new-checkout', 'production')).rejects.toBeInstanceOf(
      LdResponseShapeError,
    );
  });

  it('never lets the access token into an error', async () => {
    const { client } = clientFor(fake);
    const errors: unknown[] = [];
    fake.fail({ status: 401 });
    errors.push(await client.getCallerIdentity().catch((e) => e));
    fake.fail({ status: 0, destroy: true });
    errors.push(await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT).catch((e) => e));
    const { client: unreachable } = clientFor(fake, { baseUri: 'http://127.0.0.1:1', maxRetries: 0 });
    errors.push(await unreachable.getCallerIdentity().catch((e) => e));
    for (const error of errors) {
      expect(error).toBeInstanceOf(LdError);
      const everything = `${JSON.stringify(error)} ${(error as Error).stack} ${String(error)} ${JSON.stringify(
        Object.getOwnPropertyDescriptors(error),
      )}`;
      expect(everything).not.toContain(fake.token);
    }
  });
});

describe('rate limits', () => {
  it('waits Retry-After (plus jitter) and retries a PATCH, applying it once', async () => {
    const { client, waits } = clientFor(fake);
    fake.fail({ status: 429, headers: { 'Retry-After': '2' }, times: 2 });
    const { outcomes } = await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT);
    expect(outcomes[0]!.ok).toBe(true);
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(2_000);
    for (const w of waits) expect(w).toBeLessThan(3_000);
    expect(fake.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
  });

  it('without Retry-After waits until X-Ratelimit-Reset', async () => {
    const now = 1_000_000;
    const { client, waits } = clientFor(fake, { now: () => now });
    fake.fail({ status: 429, headers: { 'X-Ratelimit-Reset': String(now + 4_000) } });
    await client.getExpiringUserTargets(FLAG);
    expect(waits[0]).toBeGreaterThanOrEqual(4_000);
    expect(waits[0]).toBeLessThan(5_100);
  });

  it('gives up after a bounded number of retries with a typed error', async () => {
    const { client, waits } = clientFor(fake, { maxRetries: 3 });
    fake.fail({ status: 429, headers: { 'Retry-After': '1' }, times: 100 });
    const error = await client.patchExpiringTargets(FLAG, [add('sandy')], COMMENT).catch((e) => e);
    expect(error).toBeInstanceOf(LdRateLimitError);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 1_000 });
    expect(waits).toHaveLength(3);
    expect(fake.requests).toHaveLength(4);
  });

  it('does not wait longer than its cap: a huge Retry-After fails at once', async () => {
    const { client, waits } = clientFor(fake, { maxWaitMs: 10_000 });
    fake.fail({ status: 429, headers: { 'Retry-After': '3600' } });
    await expect(client.getCallerIdentity()).rejects.toBeInstanceOf(LdRateLimitError);
    expect(waits).toEqual([]);
  });

  it('slows down before the window runs out', async () => {
    const now = 5_000_000;
    const { client, waits } = clientFor(fake, { now: () => now });
    fake.fail({
      status: 200,
      body: { accountId: 'a' },
      headers: { 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': String(now + 3_000) },
    });
    await client.getCallerIdentity();
    expect(waits).toEqual([]);
    await client.getCallerIdentity();
    expect(waits).toEqual([3_000]);
  });

  it('nothing lost, nothing applied twice when every fifth request is rate limited', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    fake.addFlag(PROJECT, { key: 'bulk', targets: { production: [{ variation: 0, values: keys }] } });
    fake.rateLimitEvery = 5;
    const { client } = clientFor(fake, { batchSize: 7 });
    const variationId = fake.variationId(PROJECT, 'bulk', 0);
    const { outcomes } = await client.patchExpiringTargets(
      { ...FLAG, key: 'bulk' },
      keys.map((key) => ({ op: 'add', contextKind: 'user', key, variationId, value: IN_A_WEEK })),
      COMMENT,
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.expiringTargets('flag', PROJECT, 'bulk', 'production')).toHaveLength(100);
    expect(fake.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });
});

describe('grants and reads', () => {
  it('adds flag targets per context kind on a variation, and segment members', async () => {
    const { client } = clientFor(fake);
    const off = fake.variationId(PROJECT, 'new-checkout', 1);
    await client.grantFlagTargets(
      {
        projectKey: PROJECT,
        flagKey: 'new-checkout',
        environmentKey: 'staging',
        variationId: off,
        targets: [
          { contextKind: 'user', key: 'zoe' },
          { contextKind: 'organization', key: 'globex' },
          { contextKind: 'user', key: 'yan' },
        ],
      },
      COMMENT,
    );
    expect(fake.patches()[0]!.body).toEqual({
      comment: COMMENT,
      environmentKey: 'staging',
      instructions: [
        { kind: 'addTargets', variationId: off, contextKind: 'user', values: ['zoe', 'yan'] },
        { kind: 'addTargets', variationId: off, contextKind: 'organization', values: ['globex'] },
      ],
    });
    const flag = await client.getFlag(PROJECT, 'new-checkout', 'staging');
    expect(flag.environments?.staging?.targets).toContainEqual({
      values: ['zoe', 'yan'],
      variation: 1,
      contextKind: 'user',
    });

    const segment = await client.grantSegmentTargets(
      {
        projectKey: PROJECT,
        environmentKey: 'production',
        segmentKey: 'beta-testers',
        targetType: 'excluded',
        targets: [{ contextKind: 'user', key: 'trent' }],
      },
      COMMENT,
    );
    expect(segment.excluded).toContain('trent');
  });

  it('a grant that would serve a key two variations is refused with a typed error', async () => {
    const { client } = clientFor(fake);
    const error = await client
      .grantFlagTargets(
        {
          projectKey: PROJECT,
          flagKey: 'new-checkout',
          environmentKey: 'production',
          variationId: fake.variationId(PROJECT, 'new-checkout', 1),
          targets: [{ contextKind: 'user', key: 'sandy' }],
        },
        COMMENT,
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(LdBadRequestError);
    expect(error.ldMessage).toMatch(/multiple variations/);
  });

  it('lists environments (without SDK keys), flags, segments and the caller', async () => {
    const { client } = clientFor(fake);
    const environments = await client.listEnvironments(PROJECT);
    expect(environments).toEqual([
      { key: 'production', name: 'Production', critical: false },
      { key: 'staging', name: 'Staging', critical: false },
      { key: 'vault', name: 'Vault', critical: true },
    ]);
    expect(JSON.stringify(environments)).not.toContain('sdk-');
    expect((await client.searchFlags(PROJECT, 'checkout')).map((f) => f.key)).toEqual(['new-checkout']);
    expect(fake.requests.at(-1)!.query.get('filter')).toBe('query:checkout');
    expect(await client.searchFlags(PROJECT, 'zzz')).toEqual([]);
    const flag = await client.getFlag(PROJECT, 'new-checkout', 'production');
    expect(flag.variations.map((v) => v.name)).toEqual(['on', 'off']);
    expect(flag.environments?.production?.contextTargets).toEqual([
      { values: ['acme'], variation: 0, contextKind: 'organization' },
    ]);
    expect((await client.searchSegments(PROJECT, 'production', 'beta')).map((s) => s.key)).toEqual([
      'beta-testers',
    ]);
    expect(fake.requests.at(-1)!.query.get('filter')).toBe('query equals "beta"');
    const segment = await client.getSegment(PROJECT, 'production', 'beta-testers');
    expect(segment).toMatchObject({ included: ['sandy', 'bob'], excluded: ['mallory'] });
    expect(await client.getCallerIdentity()).toMatchObject({ tokenName: 'ld-expiry-bot' });
  });
});
