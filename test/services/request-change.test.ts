import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRequest, Requester } from '../../src/domain/change-request.js';
import { parsePolicy } from '../../src/domain/policy.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { ActAs } from '../../src/services/acting.js';
import { LdApprovals } from '../../src/services/ld-approvals.js';
import { LD_MESSAGES } from '../../src/services/ld-errors.js';
import { type ChangeOutcome, Changes } from '../../src/services/request-change.js';
import type { Db } from '../../src/store/database.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { SafetyStore } from '../../src/store/safety-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';
import { clientFor, PROJECT, seed, seededFakePerFile } from '../helpers/ld-fixtures.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const alice: Requester = { userId: 'U1', userName: 'alice', channelId: 'C1', channelName: 'release' };
const flag = {
  kind: 'flag' as const,
  projectKey: PROJECT,
  key: 'new-checkout',
  environmentKey: 'production',
};
const segment = {
  kind: 'segment' as const,
  projectKey: PROJECT,
  key: 'beta-testers',
  environmentKey: 'production',
};
const user = (key: string) => ({ contextKind: 'user', key });

function request(extra: Partial<ChangeRequest>): ChangeRequest {
  return {
    verb: 'add',
    resource: flag,
    targets: [user('sandy')],
    expiresAt: NOW + 14 * DAY,
    targetType: 'included',
    grant: false,
    comment: 'via Slack by @alice (U1): test',
    ...extra,
  };
}

const ld = await seededFakePerFile();

describe.each(DATABASES)('Changes, the one use case, on %s', (_name, url) => {
  let db: Db;
  let store: ExpiryStore;
  let logs: string[];
  let critical: boolean | undefined;
  let groups: string[];

  function changes(policy = '*/*=*', protectedEnvironments: string[] = []) {
    const parsed = parsePolicy(policy);
    if (!parsed.ok) throw new Error(parsed.problem);
    const logger = createLogger({ level: 'info', secrets: [], destination: { write: (l) => logs.push(l) } });
    const ldApprovals = new LdApprovals({
      ld: clientFor(ld).client,
      store: new LdApprovalStore(db.db),
      logger,
      now: () => NOW,
      timeoutMs: 86_400_000,
      followed: async () => false,
    });
    const client = clientFor(ld).client;
    const actAs = new ActAs({
      mode: 'bot',
      bot: client,
      links: undefined,
      oauth: undefined,
      clientOf: () => client,
      now: () => new Date(NOW),
      logger,
    });
    return new Changes({
      ld: client,
      actAs,
      ldApprovals,
      store,
      safetyStore: new SafetyStore(db.db),
      logger: createLogger({ level: 'info', secrets: [], destination: { write: (l) => logs.push(l) } }),
      now: () => new Date(NOW),
      metrics: createMetrics(),
      policy: parsed.policy,
      protectedEnvironments,
      groupsOf: async () => groups,
      isCritical: async () => critical,
    });
  }
  const stored = async () => (await store.upcoming(NOW, { limit: 100, offset: 0 })).items;

  beforeEach(async () => {
    db = await freshDatabase(url());
    store = new ExpiryStore(db.db);
    logs = [];
    critical = false;
    groups = [];
  });
  afterEach(async () => {
    await db.close();
  });

  it('applies and records before anyone is told: per-target results, the store in step, one log line', async () => {
    const outcome = await changes().request({
      who: alice,
      request: request({ targets: [user('sandy'), user('nobody')] }),
    });
    expect(outcome.kind).toBe('applied');
    const { results } = (outcome as Extract<ChangeOutcome, { kind: 'applied' }>).result;
    expect(results.map((r) => [r.target.key, r.ok])).toEqual([
      ['sandy', true],
      ['nobody', false],
    ]);
    expect(results[1]!.message).toContain('not individually targeted');
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
    expect(await stored()).toMatchObject([
      {
        target: user('sandy'),
        expiresAt: NOW + 14 * DAY,
        requestedBy: 'U1',
        channelId: 'C1',
        variationName: 'on',
      },
    ]);
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.event === 'change');
    expect(line).toMatchObject({ user: 'U1', verb: 'add', targets: 2, ok: 1, failed: 1 });
  });

  it('refuses by CHANGE_POLICY with the rule, sending nothing to LaunchDarkly', async () => {
    const outcome = await changes('*/production=U9;*/*=*').request({ who: alice, request: request({}) });
    expect(outcome).toMatchObject({ kind: 'refused', resource: flag, rule: { text: '*/production=U9' } });
    expect(ld.patches()).toEqual([]);
    expect(logs.join('')).toContain('"event":"refused"');
  });

  it('lets a user group named in the policy through', async () => {
    groups = ['S1'];
    const outcome = await changes('*/production=S1').request({ who: alice, request: request({}) });
    expect(outcome.kind).toBe('applied');
  });

  it('holds a change to a protected environment until its asker confirms, once', async () => {
    const use = changes('*/*=*', ['production']);
    const held = await use.request({ who: alice, request: request({}) });
    expect(held.kind).toBe('needs-confirmation');
    expect(ld.patches()).toEqual([]);
    const id = (held as Extract<ChangeOutcome, { kind: 'needs-confirmation' }>).confirmationId;

    expect(await use.claim(id, 'U2', 'confirmed')).toEqual({
      kind: 'unconfirmable',
      reason: 'not-yours',
      owner: 'U1',
    });
    const claim = await use.claim(id, 'U1', 'confirmed');
    expect('who' in claim && claim.confirmed).toBe(true);
    expect(await use.claim(id, 'U1', 'confirmed')).toEqual({ kind: 'unconfirmable', reason: 'expired' });
    if (!('who' in claim)) throw new Error('not claimed');
    expect((await use.apply(claim)).kind).toBe('applied');
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
  });

  it('treats an environment LaunchDarkly marks critical, or cannot say about, as protected', async () => {
    critical = true;
    expect((await changes().request({ who: alice, request: request({}) })).kind).toBe('needs-confirmation');
    critical = undefined;
    expect((await changes().request({ who: alice, request: request({}) })).kind).toBe('needs-confirmation');
    expect((await changes().request({ who: alice, request: request({}), confirmed: true })).kind).toBe(
      'applied',
    );
  });

  it('gives a confirmation back when what it confirmed failed, so Confirm works again', async () => {
    const use = changes('*/*=*', ['production']);
    const held = (await use.request({ who: alice, request: request({}) })) as Extract<
      ChangeOutcome,
      { kind: 'needs-confirmation' }
    >;
    expect('who' in (await use.claim(held.confirmationId, 'U1', 'confirmed'))).toBe(true);
    await use.reopen(held.confirmationId);
    expect('who' in (await use.claim(held.confirmationId, 'U1', 'confirmed'))).toBe(true);
  });

  it('turns a LaunchDarkly failure of the whole request into a sentence, and records nothing', async () => {
    ld.fail({ status: 403, body: { code: 'forbidden', message: 'no' }, times: 10 });
    const outcome = await changes().request({ who: alice, request: request({}) });
    expect(outcome).toEqual({
      kind: 'failed',
      request: request({}),
      message: LD_MESSAGES.forbidden(flag),
      transient: false,
    });
    expect(await stored()).toEqual([]);
  });

  it('says which variation is unknown rather than guessing', async () => {
    const outcome = await changes().request({
      who: alice,
      request: request({ variation: 'purple', grant: true }),
    });
    expect(outcome.kind).toBe('failed');
    expect((outcome as { message: string }).message).toContain('has no variation "purple"');
  });

  it('extend moves each existing expiry by calendar days in the asker zone, and refuses targets without one', async () => {
    const use = changes();
    await use.request({
      who: alice,
      request: request({ targets: [user('sandy')], expiresAt: NOW + 2 * DAY }),
    });
    await use.request({ who: alice, request: request({ targets: [user('bob')], expiresAt: NOW + 3 * DAY }) });
    ld.clear();
    seed(ld);
    // What LaunchDarkly holds is what extend starts from, not what the bot remembers.
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'sandy',
      expirationDate: Date.parse('2027-03-13T01:00:00Z'),
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
    });
    const outcome = await use.request({
      who: alice,
      request: request({
        verb: 'extend',
        expiresAt: undefined,
        targets: [user('sandy'), user('bob')],
        extendBy: { shift: { amount: 2, unit: 'day' }, timeZone: 'America/Los_Angeles' },
      }),
    });
    const { results } = (outcome as Extract<ChangeOutcome, { kind: 'applied' }>).result;
    // Fri 12 March 17:00 PST + 2 days = Sun 14 March 17:00 PDT (the clocks moved forward between).
    expect(results[0]).toMatchObject({ ok: true, expiresAt: Date.parse('2027-03-15T00:00:00Z') });
    expect(results[1]).toMatchObject({ ok: false, message: expect.stringContaining('no expiry scheduled') });
    const [patch] = ld.patches();
    expect(patch!.body.instructions).toEqual([
      expect.objectContaining({
        kind: 'updateExpireUserTargetDate',
        userKey: 'sandy',
        value: Date.parse('2027-03-15T00:00:00Z'),
      }),
    ]);
    expect((await stored()).find((e) => e.target.key === 'sandy')?.expiresAt).toBe(
      Date.parse('2027-03-15T00:00:00Z'),
    );
  });

  it('remove now cancels the expiry and takes the target out of targeting; the store forgets it', async () => {
    const use = changes();
    await use.request({ who: alice, request: request({ targets: [user('sandy')] }) });
    const outcome = await use.request({
      who: alice,
      request: request({ verb: 'revoke', expiresAt: undefined, targets: [user('sandy'), user('nobody')] }),
    });
    const { results } = (outcome as Extract<ChangeOutcome, { kind: 'applied' }>).result;
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production').flatMap((t) => t.values)).not.toContain(
      'sandy',
    );
    expect(await stored()).toEqual([]);
  });

  it('remove now on a segment takes the target out of the list that holds it', async () => {
    const outcome = await changes().request({
      who: alice,
      request: request({
        verb: 'revoke',
        resource: segment,
        expiresAt: undefined,
        targets: [user('mallory')],
      }),
    });
    expect((outcome as Extract<ChangeOutcome, { kind: 'applied' }>).result.results[0]!.ok).toBe(true);
    expect(ld.segmentMembers(PROJECT, 'production', 'beta-testers', 'excluded')).not.toContain('mallory');
  });

  it('threads what a change scheduled under the message that announced it', async () => {
    const use = changes();
    const outcome = (await use.request({ who: alice, request: request({}) })) as Extract<
      ChangeOutcome,
      { kind: 'applied' }
    >;
    await use.thread(outcome.result, 'C1', '123.456');
    expect(await stored()).toMatchObject([{ channelId: 'C1', messageTs: '123.456' }]);
  });
});
