import { describe, expect, it } from 'vitest';
import { LdApprovalRequiredError, LdForbiddenError, needsApproval } from '../../src/launchdarkly/errors.js';
import { describeLdError, LD_MESSAGES } from '../../src/services/ld-errors.js';

const ref = { kind: 'flag' as const, projectKey: 'p', key: 'f', environmentKey: 'production' };
const flagPatch = { method: 'PATCH', path: '/api/v2/flags/p/f' };
const expiryPatch = { method: 'PATCH', path: '/api/v2/flags/p/f/expiring-targets/production' };
const approvalReview = { method: 'POST', path: '/api/v2/approval-requests/abc/reviews' };

describe('a change refused for approvals', () => {
  it('is a 405, or a 403 naming approval, on a change — not an answer of the approval-request endpoints', () => {
    const message = "Flag configuration updates require approval: action 'updateTargets' not allowed";
    expect(needsApproval(new LdApprovalRequiredError({ ...flagPatch, status: 405 }))).toBe(true);
    expect(needsApproval(new LdForbiddenError({ ...flagPatch, status: 403, ldMessage: message }))).toBe(true);
    expect(
      needsApproval(new LdForbiddenError({ ...flagPatch, status: 403, ldMessage: 'Access denied' })),
    ).toBe(false);
    // A self-review refused, or a token that may not ask: not "ask for approval".
    expect(needsApproval(new LdApprovalRequiredError({ ...approvalReview, status: 405 }))).toBe(false);
    expect(needsApproval(new Error('approval'))).toBe(false);
  });

  it('an expiry refused so says no approval request can carry it; other changes say to request it', () => {
    const ldMessage = "action 'updateExpiringTargets' not allowed";
    expect(
      describeLdError(new LdApprovalRequiredError({ ...expiryPatch, status: 405, ldMessage }), ref),
    ).toBe(LD_MESSAGES.approval(ref, ldMessage));
    expect(describeLdError(new LdApprovalRequiredError({ ...flagPatch, status: 405, ldMessage }), ref)).toBe(
      LD_MESSAGES.approvalRequired(ref, ldMessage),
    );
    expect(LD_MESSAGES.approval(ref, ldMessage)).toContain(ldMessage);
  });
});
