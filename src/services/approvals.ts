import {
  type Approval,
  type ApproverRefusal,
  approvalRuleFor,
  approvedComment,
  approverRefusal,
  type HeldChange,
  sameChange,
  tooLate,
} from '../domain/approval.js';
import type { Requester } from '../domain/change-request.js';
import { groupsIn, type Policy, type Rule } from '../domain/policy.js';
import type { Logger } from '../log.js';
import type { ApprovalStore } from '../store/approval-store.js';

export interface ApprovalsDeps {
  approvals: ApprovalStore;
  /** APPROVERS, APPROVALS_NEEDED, APPROVAL_TIMEOUT. */
  config: { approvers: Policy | undefined; needed: number; timeoutMs: number };
  /** The Slack user groups, of those named, that a person belongs to. */
  groupsOf: (userId: string, groupIds: readonly string[]) => Promise<string[]>;
  now: () => Date;
  logger: Logger;
}

/** What a click on Approve did. */
export type VoteOutcome =
  /** `counting`: the approvals that count now (of approvers APPROVERS still lists). */
  | { kind: 'counted'; approval: Approval; counting: number; enough: boolean }
  | { kind: 'refused'; why: ApproverRefusal; approval: Approval }
  | { kind: 'gone' };

/** What Decline or Withdraw did. */
export type DecisionOutcome =
  | { kind: 'done'; approval: Approval }
  | { kind: 'refused'; why: ApproverRefusal | 'not-yours'; approval: Approval }
  | { kind: 'gone' };

/**
 * Approvals in Slack (PRODUCT §13), the use case behind every surface: holding a change that
 * needs approvers, their votes (a listed approver, never the requester, once each), Decline and
 * Withdraw, and what an approved change is sent as. Who may approve is read from APPROVERS when
 * the click comes, not when the request was made.
 */
export class Approvals {
  constructor(private readonly deps: ApprovalsDeps) {}

  /** Whether any environment needs approval (APPROVERS is set). */
  get configured(): boolean {
    return this.deps.config.approvers !== undefined;
  }

  /** The APPROVERS rule a change must wait for, if any. */
  ruleFor(request: HeldChange['request']): Rule | undefined {
    return approvalRuleFor(this.deps.config.approvers, request);
  }

  /**
   * Holds a change for its approvers, once per `id` (a job resumed after a crash finds the
   * request it held instead of asking twice).
   */
  async hold(id: string, held: HeldChange, rule: Rule, channelId: string): Promise<Approval> {
    const { approvals, config } = this.deps;
    const existing = await approvals.get(id);
    if (existing) return existing;
    // Asked again while the same change waits (a double click, a second command): that request.
    const waiting = await approvals.pending({ requesterId: held.who.userId }, 500);
    const same = waiting.find((a) => sameChange(a.request, held.request));
    if (same) return same;
    const now = this.now();
    try {
      await approvals.create(
        {
          id,
          ...held,
          approvers: rule.who,
          needed: config.needed,
          channelId,
          createdAt: now,
          expiresAt: now + config.timeoutMs,
        },
        now,
      );
    } catch (error) {
      // Another replica held the same request a moment ago: its row is ours.
      const raced = await approvals.get(id);
      if (raced) return raced;
      throw error;
    }
    this.deps.logger.info(
      { event: 'approval_requested', approval: id, user: held.who.userId, resource: held.request.resource },
      'change held for approval',
    );
    return (await approvals.get(id))!;
  }

  /** Pending requests, oldest first: of a channel, of a requester, or all. */
  pending(filter: { channelId?: string; requesterId?: string }, limit?: number): Promise<Approval[]> {
    return this.deps.approvals.pending(filter, limit);
  }

  /** The pending requests `userId` may approve (not their own, not yet approved by them), oldest first. */
  async awaiting(userId: string, limit: number): Promise<Approval[]> {
    const { approvers } = this.deps.config;
    if (!approvers) return [];
    const groupIds = groupsIn(approvers);
    const groups = groupIds.length > 0 ? await this.deps.groupsOf(userId, groupIds) : [];
    const pending = await this.deps.approvals.pending({}, 500);
    return pending
      .filter((a) => !approverRefusal(a, this.ruleFor(a.request), { userId, groups }, true))
      .slice(0, limit);
  }

  /**
   * The request's message is in the channel: its buttons are how approvers act. The request as it
   * stands once noted (an approver may have acted on the message already).
   */
  async posted(id: string, channelId: string, messageTs: string): Promise<Approval | undefined> {
    return this.deps.approvals.setMessage(id, channelId, messageTs);
  }

  async vote(id: string, clicker: Requester): Promise<VoteOutcome> {
    const approval = await this.deps.approvals.get(id);
    if (!approval) return { kind: 'gone' };
    const now = this.now();
    // Its time ran out; the deadlines pass says so at its next turn.
    if (approval.state === 'pending' && approval.expiresAt <= now)
      return { kind: 'refused', why: 'decided', approval: { ...approval, state: 'expired' } };
    const why = await this.refusal(approval, clicker.userId, true);
    if (why) return { kind: 'refused', why, approval };
    // Approvers are read from APPROVERS when they click, and again when the next one does: an
    // earlier approver no longer listed (left the rule or its group) does not make it enough.
    const lapsed = new Set<string>();
    for (const earlier of approval.votes)
      if ((await this.refusal(approval, earlier.userId, false)) === 'not-an-approver')
        lapsed.add(earlier.userId);
    const voted = await this.deps.approvals.vote(
      id,
      { userId: clicker.userId, userName: clicker.userName, at: now },
      now,
      lapsed,
    );
    if (!voted.counted) {
      const latest = voted.approval ?? approval;
      const again = latest.votes.some((v) => v.userId === clicker.userId) ? 'already-approved' : 'decided';
      return { kind: 'refused', why: again, approval: latest };
    }
    this.deps.logger.info(
      { event: 'approval_vote', approval: id, user: clicker.userId, enough: voted.enough },
      'approval counted',
    );
    return { kind: 'counted', approval: voted.approval, counting: voted.counting, enough: voted.enough };
  }

  async decline(id: string, clicker: Requester, reason?: string): Promise<DecisionOutcome> {
    const approval = await this.deps.approvals.get(id);
    if (!approval) return { kind: 'gone' };
    const why = await this.refusal(approval, clicker.userId, false);
    if (why) return { kind: 'refused', why, approval };
    const by = { userId: clicker.userId, ...(reason?.trim() ? { reason: reason.trim() } : {}) };
    return this.moved(approval, 'declined', by);
  }

  async withdraw(id: string, userId: string): Promise<DecisionOutcome> {
    const approval = await this.deps.approvals.get(id);
    if (!approval) return { kind: 'gone' };
    if (approval.who.userId !== userId) return { kind: 'refused', why: 'not-yours', approval };
    return this.moved(approval, 'withdrawn', { userId });
  }

  /**
   * An approved request, ready to send: exactly as asked, as its requester, the audit comment
   * naming the approvers; or `too-late` when the expiry it asked for has passed (then it is
   * settled so, and nothing is sent).
   */
  async approved(
    id: string,
  ): Promise<
    | { kind: 'send'; approval: Approval; held: HeldChange }
    | { kind: 'too-late'; approval: Approval }
    | { kind: 'not-approved' }
  > {
    const approval = await this.deps.approvals.get(id);
    if (approval?.state !== 'approved') return { kind: 'not-approved' };
    if (tooLate(approval, this.now())) {
      await this.settle(approval, 'too-late');
      return { kind: 'too-late', approval: { ...approval, state: 'too-late' } };
    }
    const request = {
      ...approval.request,
      comment: approvedComment(approval.request.comment, approval.votes),
    };
    return { kind: 'send', approval, held: { who: approval.who, request, provenance: approval.provenance } };
  }

  /** An approved request was sent: `applied` (the result says what LaunchDarkly did) or `failed`. */
  async settle(approval: Approval, to: 'applied' | 'failed' | 'too-late'): Promise<boolean> {
    return this.deps.approvals.move(approval.id, 'approved', to, this.now());
  }

  private async moved(
    approval: Approval,
    to: 'declined' | 'withdrawn',
    by: { userId: string; reason?: string },
  ): Promise<DecisionOutcome> {
    if (!(await this.deps.approvals.move(approval.id, 'pending', to, this.now(), by)))
      return { kind: 'refused', why: 'decided', approval };
    this.deps.logger.info(
      { event: `approval_${to}`, approval: approval.id, user: by.userId },
      `approval ${to}`,
    );
    return {
      kind: 'done',
      approval: {
        ...approval,
        state: to,
        decidedBy: by.userId,
        ...(by.reason ? { declineReason: by.reason } : {}),
      },
    };
  }

  private async refusal(approval: Approval, userId: string, approving: boolean) {
    const rule = this.ruleFor(approval.request);
    const groupIds = rule ? groupsIn([rule]) : [];
    const groups = groupIds.length > 0 ? await this.deps.groupsOf(userId, groupIds) : [];
    return approverRefusal(approval, rule, { userId, groups }, approving);
  }

  private now(): number {
    return this.deps.now().getTime();
  }
}
