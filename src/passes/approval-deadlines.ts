import type { WebClient } from '@slack/web-api';
import { type Approval, reminderDueAt } from '../domain/approval.js';
import type { Logger } from '../log.js';
import { showApproval } from '../slack/approval-messages.js';
import { APPROVAL_NEWS, approvalReminderMessage } from '../slack/blocks/approval.js';
import type { ApprovalStore } from '../store/approval-store.js';
import { type Counts, counts } from './steps.js';

/** What a pass over approval deadlines counts: reminders sent, requests expired. */
const FIGURES = 'reminded expired';

/**
 * One pass over pending approval requests: at half its wait a request's approvers are reminded
 * once, in its thread; at its end it expires, its message says so in place and its requester is
 * told. Each once across replicas: the state change (or the reminder's mark) is the claim, made
 * before anyone is told.
 */
export async function runApprovalDeadlines(pass: {
  now: number;
  deps: { approvals: ApprovalStore; slack: Pick<WebClient, 'chat'>; logger: Logger };
}): Promise<Counts<typeof FIGURES>> {
  const { now, deps } = pass;
  const stats = counts(FIGURES);
  for (const approval of await deps.approvals.due(now)) {
    if (approval.expiresAt <= now) {
      if (!(await deps.approvals.move(approval.id, 'pending', 'expired', now))) continue;
      stats.expired++;
      const expired: Approval = { ...approval, state: 'expired' };
      await showApproval(deps.slack, expired, deps.logger);
      await say(deps, 'could not tell a requester their approval request expired', () =>
        deps.slack.chat.postMessage({ channel: approval.who.userId, text: APPROVAL_NEWS.expired(approval) }),
      );
    } else if (
      approval.messageTs &&
      now >= reminderDueAt(approval) &&
      (await deps.approvals.markReminded(approval.id, now))
    ) {
      stats.reminded++;
      await say(deps, 'could not remind the approvers of a request', () =>
        deps.slack.chat.postMessage({
          channel: approval.channelId,
          thread_ts: approval.messageTs,
          ...approvalReminderMessage(approval),
        }),
      );
    }
  }
  if (stats.reminded + stats.expired > 0)
    deps.logger.info({ event: 'approval_deadlines', ...stats }, 'approval deadlines');
  return stats;
}

/** Nobody waits on the other end of a timed pass: a Slack failure is logged, the state stands. */
async function say(deps: { logger: Logger }, what: string, post: () => Promise<unknown>): Promise<void> {
  try {
    await post();
  } catch (error) {
    deps.logger.warn({ err: error }, what);
  }
}
