/**
 * Changes to one flag or segment asked while a request about it is in flight go together in the
 * next one: a queue of changes costs a request per round trip, each caller still gets its own
 * answer, and one caller's bad target never fails the others.
 */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/launchdarkly/coalesce.js';
import { LdForbiddenError } from '../../src/launchdarkly/errors.js';
import { type LdWait, reportingWaits } from '../../src/launchdarkly/http.js';
import type { ExpiryChange } from '../../src/launchdarkly/instructions.js';
import type { RecordedRequest } from '../helpers/fake-launchdarkly.js';
import { addOn, clientFor, FLAG, PROJECT, seededFakePerFile } from '../helpers/ld-fixtures.js';

const fake = await seededFakePerFile();

const on = () => fake.variationId(PROJECT, 'new-checkout', 0);
const add = (key: string) => addOn(fake, key);
const comment = (who: string) => `via Slack by @${who} (U-${who}): /expire flag new-checkout …`;
const isExpiryPatch = (r: RecordedRequest) => r.method === 'PATCH' && r.path.includes('/expiring-');
const isFlagPatch = (r: RecordedRequest) =>
  r.method === 'PATCH' && r.path === `/api/v2/flags/${PROJECT}/new-checkout`;

/** The request that carries what was asked behind the first (faults are matched after a hold). */
const together = (r: RecordedRequest) => isExpiryPatch(r) && /sent together/.test(r.body.comment);

/** Starts one call and holds its request at the fake; returns once LaunchDarkly has it. */
async function inFlight<T>(match: (r: RecordedRequest) => boolean, call: () => Promise<T>) {
  const hold = fake.hold(match);
  const first = call();
  await hold.reached;
  return { first, release: () => hold.release() };
}

describe('expiry changes to one flag', () => {
  it('asked while one is in flight, go together in the next request, and each caller gets its own outcomes', async () => {
    const { client } = clientFor(fake);
    fake.addFlag(PROJECT, {
      key: 'queue',
      variations: [{ value: true }, { value: false }],
      targets: { production: [{ variation: 0, values: Array.from({ length: 6 }, (_, i) => `u${i}`) }] },
    });
    const ref = { ...FLAG, key: 'queue' };
    const v = fake.variationId(PROJECT, 'queue', 0);
    const change = (key: string): ExpiryChange => ({ ...add(key), variationId: v });
    const { first, release } = await inFlight(isExpiryPatch, () =>
      client.patchExpiringTargets(ref, [change('u0')], comment('u0')),
    );
    const progress: Array<[string, number, number]> = [];
    const rest = ['u1', 'u2', 'u3', 'u4', 'u5'].map((key) =>
      client.patchExpiringTargets(ref, [change(key)], comment(key), (p) =>
        progress.push([key, p.done, p.total]),
      ),
    );
    release();
    const results = await Promise.all([first, ...rest]);

    const patches = fake.requests.filter(isExpiryPatch);
    expect(patches).toHaveLength(2);
    expect(patches[1]!.body.instructions.map((i: { userKey: string }) => i.userKey)).toEqual([
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
    ]);
    // The audit log names everyone whose change went in it.
    expect(patches[1]!.body.comment).toMatch(/^5 changes sent together/);
    for (const who of ['u1', 'u5']) expect(patches[1]!.body.comment).toContain(comment(who));
    expect(patches[0]!.body.comment).toBe(comment('u0'));
    results.forEach((result, i) => {
      expect(result.outcomes).toHaveLength(1);
      expect(result.outcomes[0]).toMatchObject({ ok: true, change: { key: `u${i}` } });
    });
    expect(fake.expiringTargets('flag', PROJECT, 'queue', 'production')).toHaveLength(6);
    expect(progress.sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5'].map((k) => [k, 1, 1]));
  });

  it('one caller’s failed instruction is that caller’s alone', async () => {
    const { client } = clientFor(fake);
    const { first, release } = await inFlight(isExpiryPatch, () =>
      client.patchExpiringTargets(FLAG, [add('sandy')], comment('a')),
    );
    // eve is served the other variation: her add fails; bob's, sent with it, does not.
    const bad = client.patchExpiringTargets(FLAG, [add('eve')], comment('b'));
    const good = client.patchExpiringTargets(FLAG, [add('bob')], comment('c'));
    release();
    await first;
    expect((await bad).outcomes[0]).toMatchObject({
      ok: false,
      change: { key: 'eve' },
      message: expect.stringMatching(/not individually targeted/),
    });
    expect((await good).outcomes).toEqual([expect.objectContaining({ ok: true })]);
    expect(fake.requests.filter(isExpiryPatch)).toHaveLength(2);
  });

  it('a change to a target already in the next request waits for the one after, so the order asked holds', async () => {
    const { client } = clientFor(fake);
    const { first, release } = await inFlight(isExpiryPatch, () =>
      client.patchExpiringTargets(FLAG, [add('sandy')], comment('a')),
    );
    const bob = client.patchExpiringTargets(FLAG, [add('bob')], comment('b'));
    const bobAgain = client.patchExpiringTargets(
      FLAG,
      [{ op: 'remove', contextKind: 'user', key: 'bob', variationId: on() }],
      comment('c'),
    );
    release();
    await Promise.all([first, bob, bobAgain]);
    const patches = fake.requests.filter(isExpiryPatch);
    expect(patches.map((p) => p.body.instructions.map((i: { kind: string }) => i.kind))).toEqual([
      ['addExpireUserTargetDate'],
      ['addExpireUserTargetDate'],
      ['removeExpireUserTargetDate'],
    ]);
    expect((await bobAgain).outcomes[0]!.ok).toBe(true);
    expect(
      fake.expiringTargets('flag', PROJECT, 'new-checkout', 'production').map((t) => t.contextKey),
    ).toEqual(['sandy']);
  });

  it('a refused request fails every change that went in it, with the typed error', async () => {
    const { client } = clientFor(fake);
    const { first, release } = await inFlight(isExpiryPatch, () =>
      client.patchExpiringTargets(FLAG, [add('sandy')], comment('a')),
    );
    fake.fail({ match: together, status: 403 });
    const both = [add('bob'), add('acme')].map((c, i) =>
      client.patchExpiringTargets(FLAG, [c], comment(`${i}`)),
    );
    release();
    await first;
    for (const call of both) await expect(call).rejects.toBeInstanceOf(LdForbiddenError);
  });

  it('tells every caller whose change went in a request that it waits on a rate limit', async () => {
    const { client } = clientFor(fake);
    const { first, release } = await inFlight(isExpiryPatch, () =>
      client.patchExpiringTargets(FLAG, [add('sandy')], comment('a')),
    );
    fake.fail({ match: together, status: 429, headers: { 'Retry-After': '2' } });
    const heard: Record<string, LdWait[]> = { b: [], c: [] };
    const calls = (['b', 'c'] as const).map((who, i) =>
      reportingWaits(
        (wait) => heard[who]!.push(wait),
        () => client.patchExpiringTargets(FLAG, [add(['bob', 'acme'][i]!)], comment(who)),
      ),
    );
    release();
    await Promise.all([first, ...calls]);
    for (const who of ['b', 'c'])
      expect(heard[who]).toEqual([expect.objectContaining({ reason: 'rate-limit' })]);
  });
});

describe('targeting changes to one flag', () => {
  it('grants asked while one is in flight go as one addTargets; a key served another variation fails only its caller', async () => {
    const { client } = clientFor(fake);
    const grant = (keys: string[], who: string) =>
      client.grantFlagTargets(
        {
          projectKey: PROJECT,
          flagKey: 'new-checkout',
          environmentKey: 'production',
          variationId: on(),
          targets: keys.map((key) => ({ contextKind: 'user', key })),
        },
        comment(who),
      );
    const { first, release } = await inFlight(isFlagPatch, () => grant(['n0'], 'a'));
    const good = [grant(['n1', 'n2'], 'b'), grant(['n3'], 'c')];
    release();
    await Promise.all([first, ...good]);
    const patches = fake.requests.filter(isFlagPatch);
    expect(patches).toHaveLength(2);
    expect(patches[1]!.body.instructions).toEqual([
      expect.objectContaining({ kind: 'addTargets', values: ['n1', 'n2', 'n3'] }),
    ]);

    // eve is served "off": together the request is refused, so each is sent alone.
    const again = await inFlight(isFlagPatch, () => grant(['n4'], 'a'));
    const bad = grant(['eve'], 'd');
    const fine = grant(['n5'], 'e');
    again.release();
    await again.first;
    await expect(bad).rejects.toThrow(/multiple variations/);
    await expect(fine).resolves.toBeDefined();
    const targeted = fake.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values);
    expect(targeted).toEqual(expect.arrayContaining(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']));
  });
});

describe('reads of one flag', () => {
  it('asked while the same read is in flight share the next one, read after they asked', async () => {
    const { client } = clientFor(fake);
    const isRead = (r: RecordedRequest) =>
      r.method === 'GET' && r.path === `/api/v2/flags/${PROJECT}/new-checkout`;
    const { first, release } = await inFlight(isRead, () =>
      client.getFlag(PROJECT, 'new-checkout', 'production'),
    );
    const askedAt = Date.now();
    const later = Array.from({ length: 10 }, () => client.getFlag(PROJECT, 'new-checkout', 'production'));
    const staging = client.getFlag(PROJECT, 'new-checkout', 'staging');
    release();
    const answers = await Promise.all([first, ...later, staging]);
    const reads = fake.requests.filter(isRead);
    expect(reads).toHaveLength(3);
    expect(reads.filter((r) => r.query.get('env') === 'production')[1]!.at).toBeGreaterThanOrEqual(askedAt);
    expect(new Set(answers.slice(1, 11)).size).toBe(1);
    expect(answers[0]!.key).toBe('new-checkout');
  });
});

describe('the coalescer', () => {
  it('a failure in putting a request together fails its callers, and the next call works', async () => {
    let broken = true;
    const coalescer = new Coalescer<number, number>(async (inputs) => inputs.map((n) => n * 2), {
      admit: () => () => {
        if (broken) throw new Error('a bug in the rule');
        return true;
      },
    });
    await expect(coalescer.run('k', 1)).rejects.toThrow('a bug in the rule');
    broken = false;
    await expect(Promise.all([coalescer.run('k', 2), coalescer.run('k', 3)])).resolves.toEqual([4, 6]);
  });
});
