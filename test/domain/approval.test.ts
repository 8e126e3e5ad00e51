import { describe, expect, it } from 'vitest';
import {
  approvalRuleFor,
  approvedComment,
  approverRefusal,
  reminderDueAt,
  tooLate,
  withVote,
} from '../../src/domain/approval.js';
import type { ChangeRequest } from '../../src/domain/change-request.js';
import { parsePolicy } from '../../src/domain/policy.js';

const approvers = (text: string) => {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.policy;
};
const request = (verb: ChangeRequest['verb'], environmentKey = 'production'): ChangeRequest => ({
  verb,
  resource: { kind: 'flag', projectKey: 'default', key: 'x', environmentKey },
  targets: [{ contextKind: 'user', key: 'sandy' }],
  targetType: 'included',
  grant: false,
  comment: 'c',
});
const who = { userId: 'U1', userName: 'alice', channelId: 'C1' };

describe('approvals', () => {
  it('holds what gives or keeps access where APPROVERS covers the environment; Remove now goes through', () => {
    const policy = approvers('*/production=S0RELEASE,U2');
    for (const verb of ['add', 'update', 'extend', 'remove'] as const) {
      expect(approvalRuleFor(policy, request(verb))?.text).toBe('*/production=S0RELEASE,U2');
    }
    expect(approvalRuleFor(policy, request('revoke'))).toBeUndefined();
    expect(approvalRuleFor(policy, request('add', 'staging'))).toBeUndefined();
    expect(approvalRuleFor(undefined, request('add'))).toBeUndefined();
  });

  it('lets a listed approver who is not the requester say yes, once', () => {
    const rule = approvers('*/production=S0RELEASE,U2')[0];
    const pending = { state: 'pending' as const, votes: [], who };
    expect(approverRefusal(pending, rule, { userId: 'U2', groups: [] }, true)).toBeUndefined();
    expect(approverRefusal(pending, rule, { userId: 'U7', groups: ['S0RELEASE'] }, true)).toBeUndefined();
    expect(approverRefusal(pending, rule, { userId: 'U1', groups: ['S0RELEASE'] }, true)).toBe('requester');
    expect(approverRefusal(pending, rule, { userId: 'U9', groups: [] }, true)).toBe('not-an-approver');
    const voted = { ...pending, votes: [{ userId: 'U2', at: 1 }] };
    expect(approverRefusal(voted, rule, { userId: 'U2', groups: [] }, true)).toBe('already-approved');
    expect(approverRefusal(voted, rule, { userId: 'U2', groups: [] }, false)).toBeUndefined();
    expect(approverRefusal({ ...pending, state: 'declined' }, rule, { userId: 'U2', groups: [] }, true)).toBe(
      'decided',
    );
    // `*` lets anyone approve, but still never the requester.
    const anyone = approvers('*/*=*')[0];
    expect(approverRefusal(pending, anyone, { userId: 'U9', groups: [] }, true)).toBeUndefined();
    expect(approverRefusal(pending, anyone, { userId: 'U1', groups: [] }, true)).toBe('requester');
  });

  it('counts distinct approvers, knows when it is too late, and when to remind', () => {
    expect(withVote({ votes: [], needed: 2 }, { userId: 'U2', at: 5 })).toEqual({
      votes: [{ userId: 'U2', at: 5 }],
      counting: 1,
      enough: false,
    });
    expect(withVote({ votes: [{ userId: 'U2', at: 5 }], needed: 2 }, { userId: 'U2', at: 6 }).enough).toBe(
      false,
    );
    expect(withVote({ votes: [{ userId: 'U2', at: 5 }], needed: 2 }, { userId: 'U3', at: 6 }).enough).toBe(
      true,
    );
    // U2 has left APPROVERS since: their vote stays recorded but does not count; U3's alone is not enough.
    expect(
      withVote({ votes: [{ userId: 'U2', at: 5 }], needed: 2 }, { userId: 'U3', at: 6 }, new Set(['U2'])),
    ).toEqual({
      votes: [
        { userId: 'U2', at: 5 },
        { userId: 'U3', at: 6 },
      ],
      counting: 1,
      enough: false,
    });
    expect(tooLate({ request: { ...request('add'), expiresAt: 100 } }, 100)).toBe(true);
    expect(tooLate({ request: { ...request('add'), expiresAt: 101 } }, 100)).toBe(false);
    expect(tooLate({ request: request('extend') }, 100)).toBe(false);
    expect(reminderDueAt({ createdAt: 1_000, expiresAt: 5_000 })).toBe(3_000);
    expect(approvedComment('via Slack by @alice (U1)', [{ userId: 'U2', userName: 'bob', at: 1 }])).toBe(
      'via Slack by @alice (U1) | approved in Slack by @bob (U2)',
    );
  });
});
