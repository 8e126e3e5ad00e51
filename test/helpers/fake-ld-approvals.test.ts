import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, BOT_TOKEN_ACTOR, FakeLaunchDarkly, UI_MEMBER } from './fake-launchdarkly.js';
import { memberActor, parseFilter } from './fake-ld-approvals.js';

/** The fake LaunchDarkly's approval requests, driven over real HTTP as the bot would. */

const ld = new FakeLaunchDarkly();
const GRACE = memberActor('Grace', 'Hopper');
const FLAG_REQUESTS = '/api/v2/projects/acme/flags/new-checkout/environments/production/approval-requests';
const SEGMENT = 'proj/acme:env/production:segment/beta-testers';
const idOf = (actor: Actor) => ('member' in actor ? actor.member._id : actor.token._id);
const [BOT_TOKEN_ID, GRACE_ID, UI_MEMBER_ID] = [BOT_TOKEN_ACTOR, GRACE, UI_MEMBER].map(idOf);

beforeAll(async () => {
  await ld.start();
});
afterAll(async () => {
  await ld.stop();
});
beforeEach(() => {
  ld.clear();
  ld.addProject('acme', [
    'staging',
    { key: 'production', approvals: true, approvalSettings: { minNumApprovals: 1 } },
    {
      key: 'strict',
      approvals: true,
      approvalSettings: { minNumApprovals: 2, canApplyDeclinedChanges: true },
    },
    {
      key: 'lenient',
      approvals: true,
      expiryApprovals: true,
      approvalSettings: { canReviewOwnRequest: true },
    },
  ]);
  ld.addFlag('acme', { key: 'new-checkout' });
  for (const env of ['production', 'strict', 'lenient']) {
    ld.addSegment('acme', env, { key: 'beta-testers', included: ['ann'] });
  }
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(ld.url + path, {
    method,
    headers: { Authorization: ld.token, 'LD-API-Version': '20240415', 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const semanticPatch = 'application/json; domain-model=launchdarkly.semanticpatch';

function addTargets(values = ['zoe']) {
  return [
    {
      kind: 'addTargets',
      variationId: ld.variationId('acme', 'new-checkout', 0),
      values,
      contextKind: 'user',
    },
  ];
}

async function flagRequest(env = 'production', values = ['zoe']) {
  const path = `/api/v2/projects/acme/flags/new-checkout/environments/${env}/approval-requests`;
  const created = await call('POST', path, {
    description: 'Grant zoe new-checkout',
    instructions: addTargets(values),
    comment: 'asked by alice in Slack',
  });
  expect(created.status).toBe(201);
  return created.body as { _id: string; [k: string]: any };
}

async function segmentRequest(env = 'production') {
  const created = await call('POST', '/api/v2/approval-requests', {
    resourceId: `proj/acme:env/${env}:segment/beta-testers`,
    description: 'Include zoe in beta-testers',
    instructions: [{ kind: 'addIncludedTargets', contextKind: 'user', values: ['zoe'] }],
    comment: 'asked by alice in Slack',
  });
  expect(created.status).toBe(201);
  return created.body as { _id: string; [k: string]: any };
}

describe('environments that require approvals', () => {
  it('refuse a flag or segment PATCH with 405 and a message naming the action', async () => {
    const flag = await call(
      'PATCH',
      '/api/v2/flags/acme/new-checkout',
      { environmentKey: 'production', comment: 'grant', instructions: addTargets() },
      semanticPatch,
    );
    expect(flag).toMatchObject({ status: 405, body: { code: 'method_not_allowed' } });
    expect(flag.body.message).toBe(
      "Flag configuration updates require approval: action 'updateTargets' not allowed",
    );
    const segment = await call(
      'PATCH',
      '/api/v2/segments/acme/production/beta-testers',
      {
        environmentKey: 'production',
        comment: 'grant',
        instructions: [{ kind: 'addIncludedTargets', contextKind: 'user', values: ['zoe'] }],
      },
      semanticPatch,
    );
    expect(segment.status).toBe(405);
    expect(segment.body.message).toMatch(/require approval: action 'updateIncluded' not allowed/);
    expect(ld.schemaViolations).toEqual([]);
  });

  it('with expiryApprovals refuse the expiring-targets PATCHes too; elsewhere those go through', async () => {
    const expiry = {
      comment: 'expire',
      instructions: [
        {
          kind: 'addExpiringTarget',
          contextKind: 'user',
          contextKey: 'ann',
          targetType: 'included',
          value: Date.now() + 60_000,
        },
      ],
    };
    const refused = await call(
      'PATCH',
      '/api/v2/segments/acme/beta-testers/expiring-targets/lenient',
      expiry,
      semanticPatch,
    );
    expect(refused.status).toBe(405);
    expect(refused.body.message).toMatch(/action 'updateExpiringTargets' not allowed/);
    const flagRefused = await call(
      'PATCH',
      '/api/v2/flags/acme/new-checkout/expiring-user-targets/lenient',
      {
        comment: 'expire',
        instructions: [{ kind: 'addExpireUserTargetDate', userKey: 'ann', variationId: 'x', value: 1 }],
      },
      semanticPatch,
    );
    expect(flagRefused.body.message).toBe(
      "Flag configuration updates require approval: action 'updateExpiringTargets' not allowed",
    );
    const allowed = await call(
      'PATCH',
      '/api/v2/segments/acme/beta-testers/expiring-targets/production',
      expiry,
      semanticPatch,
    );
    expect(allowed.status).toBe(200);
    expect(ld.schemaViolations).toEqual([]);
  });

  it('show their approval settings on the environment', async () => {
    const { body } = await call('GET', '/api/v2/projects/acme/environments');
    const strict = body.items.find((e: { key: string }) => e.key === 'strict');
    expect(strict.approvalSettings).toMatchObject({
      required: true,
      minNumApprovals: 2,
      canReviewOwnRequest: false,
      canApplyDeclinedChanges: true,
    });
    expect(body.items.find((e: { key: string }) => e.key === 'staging').approvalSettings.required).toBe(
      false,
    );
    expect(ld.schemaViolations).toEqual([]);
  });
});

describe('creating approval requests', () => {
  it('for a flag: 201 with a pending request made by the bot’s token, and an audit entry', async () => {
    ld.now = () => 1_900_000_000_000;
    const created = await flagRequest();
    expect(created).toMatchObject({
      _version: 1,
      creationDate: 1_900_000_000_000,
      description: 'Grant zoe new-checkout',
      reviewStatus: 'pending',
      status: 'pending',
      allReviews: [],
      notifyMemberIds: [],
      conflicts: [],
      instructions: addTargets(),
    });
    expect(created.requestorId).toBeUndefined();
    expect(created._links.self.href).toBe(`${FLAG_REQUESTS}/${created._id}`);
    expect(ld.approvals.get(created._id)).toMatchObject({
      resourceId: 'proj/acme:env/production:flag/new-checkout',
      comment: 'asked by alice in Slack',
      actor: BOT_TOKEN_ACTOR,
    });
    expect(ld.auditLog.at(-1)).toMatchObject({
      action: 'createApprovalRequest',
      specifier: 'proj/acme:env/production:flag/new-checkout',
      actor: BOT_TOKEN_ACTOR,
    });
    // Nothing changed yet.
    expect(ld.flagTargets('acme', 'new-checkout', 'production')).toEqual([]);
    expect(ld.schemaViolations).toEqual([]);
  });

  it('for a segment through the generic endpoint, with its resourceId', async () => {
    const created = await segmentRequest();
    expect(created).toMatchObject({
      resourceId: SEGMENT,
      status: 'pending',
      approvalSettings: { required: true },
    });
    expect(ld.auditLog.at(-1)).toMatchObject({ action: 'createApprovalRequest', specifier: SEGMENT });
    expect(ld.schemaViolations).toEqual([]);
  });

  it('is refused for an unknown resource, an unknown instruction or a body against the schema', async () => {
    const unknownSegment = await call('POST', '/api/v2/approval-requests', {
      resourceId: 'proj/acme:env/production:segment/nobody',
      description: 'x',
      instructions: [],
    });
    expect(unknownSegment.status).toBe(400);
    const badId = await call('POST', '/api/v2/approval-requests', {
      resourceId: 'flag/new-checkout',
      description: 'x',
      instructions: [],
    });
    expect(badId.status).toBe(400);
    const badKind = await call('POST', FLAG_REQUESTS, {
      description: 'x',
      instructions: [{ kind: 'turnFlagOn' }],
    });
    expect(badKind.status).toBe(400);
    expect(ld.schemaViolations).toEqual([]);
    const noDescription = await call('POST', FLAG_REQUESTS, { instructions: addTargets() });
    expect(noDescription.status).toBe(400);
    expect(ld.schemaViolations).toEqual([
      expect.stringMatching(/request POST .*approval-requests.*description/),
    ]);
  });
});

describe('reading approval requests', () => {
  it('gets one on either path, lists a flag’s, and 404s an unknown one', async () => {
    const flag = await flagRequest();
    const segment = await segmentRequest();
    expect((await call('GET', `${FLAG_REQUESTS}/${flag._id}`)).body._id).toBe(flag._id);
    expect((await call('GET', `/api/v2/approval-requests/${flag._id}`)).body.resourceId).toBe(
      'proj/acme:env/production:flag/new-checkout',
    );
    // A flag-scoped path sees only its own flag's requests.
    expect((await call('GET', `${FLAG_REQUESTS}/${segment._id}`)).status).toBe(404);
    expect((await call('GET', '/api/v2/approval-requests/0123456789abcdef01234567')).status).toBe(404);
    const list = await call('GET', FLAG_REQUESTS);
    expect(list.body.items.map((a: { _id: string }) => a._id)).toEqual([flag._id]);
    expect(ld.schemaViolations).toEqual([]);
  });

  it('filters the generic list by resourceId and status as LaunchDarkly writes it', async () => {
    const first = await segmentRequest();
    const second = await segmentRequest();
    await flagRequest();
    ld.approvals.fail(first._id);
    const filter = `resourceId equals ${SEGMENT},status anyOf ["pending","scheduled"]`;
    const list = await call('GET', `/api/v2/approval-requests?filter=${encodeURIComponent(filter)}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { _id: string }) => a._id)).toEqual([second._id]);
    expect(list.body.totalCount).toBe(1);
    const all = await call('GET', '/api/v2/approval-requests');
    expect(all.body.totalCount).toBe(3);
    const unsupported = await call(
      'GET',
      `/api/v2/approval-requests?filter=${encodeURIComponent('color equals red')}`,
    );
    expect(unsupported.status).toBe(400);
    expect(ld.schemaViolations).toEqual([]);
  });

  it('reads filters loosely', () => {
    expect(
      parseFilter('resourceId equals proj/p:env/e:segment/s, status anyOf ["pending", "scheduled"]'),
    ).toEqual([
      { field: 'resourceId', values: ['proj/p:env/e:segment/s'] },
      { field: 'status', values: ['pending', 'scheduled'] },
    ]);
  });
});

describe('reviews', () => {
  it('refuse the creator’s own review: 403 on the flag path, 405 on the generic one', async () => {
    const flag = await flagRequest();
    const own = await call('POST', `${FLAG_REQUESTS}/${flag._id}/reviews`, { kind: 'approve' });
    expect(own).toMatchObject({
      status: 403,
      body: { message: 'You cannot review your own approval request' },
    });
    const segment = await segmentRequest();
    const ownGeneric = await call('POST', `/api/v2/approval-requests/${segment._id}/reviews`, {
      kind: 'approve',
    });
    expect(ownGeneric).toMatchObject({
      status: 405,
      body: { code: 'method_not_allowed', message: 'You cannot review your own approval request' },
    });
    expect(ld.approvals.get(flag._id)!.reviewStatus).toBe('pending');
    expect(ld.schemaViolations).toEqual([]);
  });

  it('let the creator review where the environment allows it', async () => {
    const flag = await flagRequest('lenient');
    const path = `/api/v2/projects/acme/flags/new-checkout/environments/lenient/approval-requests/${flag._id}/reviews`;
    const own = await call('POST', path, { kind: 'approve', comment: 'fine by me' });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      reviewStatus: 'approved',
      allReviews: [{ kind: 'approve', comment: 'fine by me', serviceTokenId: BOT_TOKEN_ID }],
    });
    expect(ld.schemaViolations).toEqual([]);
  });

  it('approve once minNumApprovals distinct members approved; a decline declines', async () => {
    const flag = await flagRequest('strict');
    ld.approvals.review(flag._id, UI_MEMBER, 'approve');
    ld.approvals.review(flag._id, UI_MEMBER, 'approve');
    expect(ld.approvals.get(flag._id)!.reviewStatus).toBe('pending');
    ld.approvals.review(flag._id, GRACE, 'approve', 'ok');
    expect(ld.approvals.get(flag._id)!.reviewStatus).toBe('approved');
    const declined = await flagRequest('production', ['yan']);
    ld.approvals.review(declined._id, GRACE, 'decline', 'not this week');
    const read = await call('GET', `${FLAG_REQUESTS}/${declined._id}`);
    expect(read.body).toMatchObject({
      reviewStatus: 'declined',
      allReviews: [{ kind: 'decline', comment: 'not this week', memberId: GRACE_ID }],
    });
    expect(ld.auditLog.at(-1)).toMatchObject({ action: 'reviewApprovalRequest', actor: GRACE });
    expect(ld.schemaViolations).toEqual([]);
  });

  it('as a test control throw LaunchDarkly’s refusal for a self-review', async () => {
    ld.approvals.callerOf = () => GRACE;
    const flag = await flagRequest();
    expect((await call('GET', `${FLAG_REQUESTS}/${flag._id}`)).body.requestorId).toBe(GRACE_ID);
    expect(() => ld.approvals.review(flag._id, GRACE, 'approve')).toThrow(/cannot review your own/);
  });
});

describe('apply', () => {
  it('of an approved flag request runs its instructions past the approval check and completes it', async () => {
    ld.now = () => 1_900_000_000_000;
    const flag = await flagRequest();
    const early = await call('POST', `${FLAG_REQUESTS}/${flag._id}/apply`, {});
    expect(early.status).toBe(400);
    ld.approvals.review(flag._id, UI_MEMBER, 'approve');
    ld.now = () => 1_900_000_060_000;
    const applied = await call('POST', `${FLAG_REQUESTS}/${flag._id}/apply`, { comment: 'applying' });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      status: 'completed',
      appliedDate: 1_900_000_060_000,
      appliedByServiceTokenId: BOT_TOKEN_ID,
    });
    expect(ld.flagTargets('acme', 'new-checkout', 'production')).toEqual([
      { contextKind: 'user', variation: 0, values: ['zoe'] },
    ]);
    expect(ld.auditLog.at(-1)).toMatchObject({ action: 'applyApprovalRequest', actor: BOT_TOKEN_ACTOR });
    const again = await call('POST', `${FLAG_REQUESTS}/${flag._id}/apply`, {});
    expect(again.status).toBe(400);
    expect(ld.schemaViolations).toEqual([]);
  });

  it('of a segment request by a member in the UI, and as the bot through the generic path', async () => {
    const byUi = await segmentRequest();
    ld.approvals.review(byUi._id, GRACE, 'approve');
    ld.approvals.apply(byUi._id, UI_MEMBER);
    expect(ld.approvals.get(byUi._id)).toMatchObject({ status: 'completed', appliedBy: UI_MEMBER });
    expect(ld.segmentMembers('acme', 'production', 'beta-testers', 'included').get('user')).toEqual(
      new Set(['ann', 'zoe']),
    );
    const read = await call('GET', `/api/v2/approval-requests/${byUi._id}`);
    expect(read.body.appliedByMemberId).toBe(UI_MEMBER_ID);

    const byBot = await segmentRequest('strict');
    ld.approvals.review(byBot._id, GRACE, 'approve');
    ld.approvals.review(byBot._id, UI_MEMBER, 'approve');
    const applied = await call('POST', `/api/v2/approval-requests/${byBot._id}/apply`, {});
    expect(applied.body).toMatchObject({
      status: 'completed',
      resourceId: 'proj/acme:env/strict:segment/beta-testers',
    });
    expect(ld.schemaViolations).toEqual([]);
  });

  it('of a declined request only where declined changes may be applied and someone approved', async () => {
    const production = await flagRequest();
    ld.approvals.review(production._id, GRACE, 'decline');
    expect((await call('POST', `${FLAG_REQUESTS}/${production._id}/apply`, {})).status).toBe(400);
    const strict = await flagRequest('strict');
    ld.approvals.review(strict._id, UI_MEMBER, 'approve');
    ld.approvals.review(strict._id, GRACE, 'decline');
    expect(ld.approvals.apply(strict._id, UI_MEMBER).status).toBe('completed');
  });

  it('that LaunchDarkly cannot carry out fails the request', async () => {
    ld.addFlag('acme', { key: 'new-checkout', targets: { production: [{ variation: 1, values: ['zoe'] }] } });
    const flag = await flagRequest();
    ld.approvals.review(flag._id, GRACE, 'approve');
    const applied = await call('POST', `${FLAG_REQUESTS}/${flag._id}/apply`, {});
    expect(applied.status).toBe(400);
    expect(applied.body.message).toMatch(/multiple variations/);
    expect((await call('GET', `${FLAG_REQUESTS}/${flag._id}`)).body.status).toBe('failed');
    expect(ld.schemaViolations).toEqual([]);
  });
});

describe('delete and fail', () => {
  it('DELETE answers 204, the request is gone, the audit log says so', async () => {
    const flag = await flagRequest();
    const deleted = await call('DELETE', `${FLAG_REQUESTS}/${flag._id}`);
    expect(deleted).toEqual({ status: 204, body: undefined });
    expect((await call('GET', `${FLAG_REQUESTS}/${flag._id}`)).status).toBe(404);
    expect(ld.approvals.get(flag._id)).toBeUndefined();
    expect(ld.auditLog.at(-1)).toMatchObject({ action: 'deleteApprovalRequest', actor: BOT_TOKEN_ACTOR });
    expect(ld.schemaViolations).toEqual([]);
  });

  it('remove and fail as a reviewer in the UI would, each with its audit entry', async () => {
    const segment = await segmentRequest();
    ld.approvals.remove(segment._id, GRACE);
    expect(ld.auditLog.at(-1)).toMatchObject({
      action: 'deleteApprovalRequest',
      specifier: SEGMENT,
      actor: GRACE,
    });
    expect((await call('GET', `/api/v2/approval-requests/${segment._id}`)).status).toBe(404);
    const flag = await flagRequest();
    ld.approvals.fail(flag._id);
    expect((await call('GET', `${FLAG_REQUESTS}/${flag._id}`)).body.status).toBe('failed');
    expect(ld.auditLog.at(-1)).toMatchObject({ action: 'applyApprovalRequest', actor: UI_MEMBER });
    expect(ld.approvals.list()).toHaveLength(1);
  });

  it('audit entries of approval actions stay schema-valid through the audit-log search', async () => {
    const flag = await flagRequest();
    ld.approvals.review(flag._id, GRACE, 'approve');
    const search = await call('POST', '/api/v2/auditlog', [
      { effect: 'allow', resources: ['proj/acme:env/production:flag/*'], actions: ['*'] },
    ]);
    expect(search.body.items.map((e: any) => e.accesses[0].action)).toEqual([
      'reviewApprovalRequest',
      'createApprovalRequest',
    ]);
    expect(search.body.items[0].member._id).toBe(GRACE_ID);
    expect(ld.schemaViolations).toEqual([]);
  });
});
