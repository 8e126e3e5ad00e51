import type { BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { Approval } from '../../../domain/approval.js';
import { requesterSchema } from '../../../domain/change-request.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind, JobResult } from '../../../work/worker.js';
import { showApproval } from '../../approval-messages.js';
import { APPROVAL_NEWS, APPROVAL_REFUSALS, declineView, stateAnswer } from '../../blocks/approval.js';
import type { Message } from '../../blocks/result.js';
import { textMessage } from '../../blocks/text.js';
import { clicker, clickJob } from '../../clicks.js';
import type { ListenerDeps } from '../../context.js';
import { publishHome } from '../../home.js';
import { ACTIONS } from '../../ids.js';
import { openForm } from '../../reply.js';
import type { Router } from '../../router.js';
import { takeOnClick } from '../../submit.js';
import type { approvalApplyPayload } from './approval-apply.js';

/** Approve, and Withdraw (the requester's own button): one job per click and person. */
const clickSchema = z.object({
  id: z.string().max(64),
  who: requesterSchema,
  responseUrl: z.string().optional(),
  /** Clicked on the Home tab: it is published again once the click is done. */
  home: z.boolean().optional(),
});

/** A decision that ends a request: Decline (from its form, with a reason) or Withdraw. */
export const decisionSchema = clickSchema.extend({
  action: z.enum(['decline', 'withdraw']),
  reason: z.string().max(500).optional(),
});
export type DecisionPayload = z.input<typeof decisionSchema>;

/**
 * Approve and Decline on a request (in the channel or on the Home tab), Withdraw in the requester's
 * private answer and on their Home tab.
 * Each click is written down as a job keyed by the request, the clicker and the click (a
 * redelivered click is the same job), so a click that is refused (not an approver, the requester)
 * never swallows an approver's; Decline opens its form first (nothing slow before views.open).
 */
export function registerApprovalButtons(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<ButtonAction>>(ACTIONS.approvalApprove, async (click) => {
    const { action, body } = click;
    await takeOnClick(click, deps, {
      kind: JOB_KINDS.approvalVote,
      id: `approve:${action.value}:${body.user.id}:${action.action_ts}`,
      payload: {
        id: action.value ?? '',
        who: clicker(body),
        responseUrl: body.response_url,
        home: onHome(body),
      },
    });
  });
  router.action<BlockAction<ButtonAction>>(ACTIONS.approvalWithdraw, async (click) => {
    const { action, body } = click;
    await takeOnClick(click, deps, {
      kind: JOB_KINDS.approvalDecision,
      id: `withdraw:${action.value}:${body.user.id}:${action.action_ts}`,
      payload: {
        id: action.value ?? '',
        action: 'withdraw',
        who: clicker(body),
        responseUrl: body.response_url,
        home: onHome(body),
      } satisfies DecisionPayload,
    });
  });
  router.action<BlockAction<ButtonAction>>(
    ACTIONS.approvalDecline,
    async ({ ack, action, body, client, respond }) => {
      await ack();
      // A click on the Home tab has no response_url: the clicker hears by DM.
      const tell = (text: string) =>
        respond
          ? respond({ response_type: 'ephemeral', replace_original: false, text })
          : deps.slack.chat.postMessage({ channel: body.user.id, text });
      await openForm(client, body.trigger_id, declineView(action.value ?? '', onHome(body)), tell);
    },
  );
}

/** What an approver's yes does: counted once; the one that makes it enough sends the change. */
export function approvalVoteJob(deps: ListenerDeps): JobKind {
  return clickJob(
    clickSchema,
    deps,
    refreshingHome(deps, async (p, tell) => {
      const outcome = await deps.approvals.vote(p.id, p.who);
      if (outcome.kind === 'gone') {
        await tell(textMessage(APPROVAL_REFUSALS.gone));
        return 'done';
      }
      // Approved (by this vote, or by one whose job stopped before it went on): send it, once.
      if (outcome.approval.state === 'approved') {
        await sendApproved(outcome.approval, deps);
        await tell(
          textMessage(outcome.kind === 'counted' ? APPROVAL_NEWS.approving : stateAnswer(outcome.approval)),
        );
        return 'done';
      }
      if (outcome.kind === 'refused') {
        const why =
          outcome.why === 'decided' ? stateAnswer(outcome.approval) : APPROVAL_REFUSALS[outcome.why];
        await tell(textMessage(why));
        return 'done';
      }
      await showApproval(deps.slack, outcome.approval, deps.logger);
      await tell(textMessage(APPROVAL_NEWS.counted(outcome.approval.needed, outcome.counting)));
      return 'done';
    }),
  );
}

/** Hands an approved request to its own job: written once, whoever saw it approved first. */
async function sendApproved(approval: Approval, deps: ListenerDeps): Promise<void> {
  await showApproval(deps.slack, approval, deps.logger);
  const taken = await deps.work.submit(JOB_KINDS.approvalApply, `approval:${approval.id}`, {
    id: approval.id,
    requester: approval.who.userId,
  } satisfies z.input<typeof approvalApplyPayload>);
  // Too much work waits: this job is tried again (it finds the request approved, and hands it on).
  if (taken === 'full')
    throw new Error('the work queue is full; the approved change is handed on at the next try');
}

/** Decline (with its reason) and Withdraw: the request ends, its message says so, its requester hears. */
export function approvalDecisionJob(deps: ListenerDeps): JobKind {
  return clickJob(
    decisionSchema,
    deps,
    refreshingHome(deps, async (p, tell) => {
      const outcome =
        p.action === 'withdraw'
          ? await deps.approvals.withdraw(p.id, p.who.userId)
          : await deps.approvals.decline(p.id, p.who, p.reason);
      const decided = p.action === 'withdraw' ? 'withdrawn' : 'declined';
      // This very job's decision, recorded before it stopped: go on to say it.
      const own =
        outcome.kind === 'refused' &&
        outcome.approval.state === decided &&
        outcome.approval.decidedBy === p.who.userId;
      if (outcome.kind === 'gone') {
        await tell(textMessage(APPROVAL_REFUSALS.gone));
        return 'done';
      }
      if (outcome.kind === 'refused' && !own) {
        await tell(
          textMessage(
            outcome.why === 'decided' ? stateAnswer(outcome.approval) : APPROVAL_REFUSALS[outcome.why],
          ),
        );
        return 'done';
      }
      await showApproval(deps.slack, outcome.approval, deps.logger);
      if (p.action === 'withdraw') await tell(textMessage(APPROVAL_NEWS.withdrawn));
      else
        await deps.slack.chat.postMessage({
          channel: outcome.approval.who.userId,
          text: APPROVAL_NEWS.declined(outcome.approval),
        });
      return 'done';
    }),
  );
}

const onHome = (body: BlockAction) => body.view?.type === 'home';

/**
 * A click's work, then — when it was clicked on the Home tab — the clicker's Home published again,
 * so its buttons show what is now. Best effort: the click is done and answered either way.
 */
function refreshingHome<P extends { home?: boolean; who: { userId: string } }>(
  deps: ListenerDeps,
  work: (p: P, tell: (message: Message) => Promise<unknown>) => Promise<JobResult>,
) {
  return async (p: P, tell: (message: Message) => Promise<unknown>): Promise<JobResult> => {
    const result = await work(p, tell);
    if (p.home)
      await publishHome(deps, p.who.userId).catch((error: unknown) =>
        deps.logger.warn({ err: error, user: p.who.userId }, 'could not publish the Home tab again'),
      );
    return result;
  };
}
