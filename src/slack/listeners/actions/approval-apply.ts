import { z } from 'zod';
import type { Approval } from '../../../domain/approval.js';
import { LINK_WAIT_MS } from '../../../services/linking.js';
import type { ChangeOutcome } from '../../../services/request-change.js';
import { MAX_ATTEMPTS } from '../../../work/worker.js';
import {
  answering,
  type ChangeJob,
  changeJob,
  privateAnswer,
  retries,
  retryLater,
  sayOnceInThread,
} from '../../announce.js';
import { showApproval } from '../../approval-messages.js';
import { APPROVAL_NEWS } from '../../blocks/approval.js';
import { LINK_MESSAGES } from '../../blocks/link.js';
import { failedMessage, type Message, resultMessage } from '../../blocks/result.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import type { LinkAwareJob } from '../../link-hold.js';
import { postOrDm, threadOf } from '../../reply.js';

/** The request, and its requester (who hears what could not be done). */
export const approvalApplyPayload = z.object({ id: z.string(), requester: z.string() });

/**
 * An approved request, sent: exactly as asked, as its requester (the change policy checked again
 * for them now), through the one change path; the result in the request's thread (reminders
 * threaded under it), the request's message updated in place, the requester told when it could
 * not be done. Approved after the expiry it asked for had passed: nothing is sent.
 */
export function approvalApplyJob(deps: ListenerDeps): LinkAwareJob {
  return {
    /**
     * The requester's link went (unlinked, or a renewal refused) and they did not link again in
     * time: nothing was sent. Settled first (one job, once), then said in the thread and on the
     * request's message; too late by now, it is said as such.
     */
    async dropped(job) {
      const { id } = approvalApplyPayload.parse(job.payload);
      const next = await deps.approvals.approved(id);
      if (next.kind === 'not-approved') return;
      if (next.kind === 'too-late') return tooLate(next.approval, deps);
      const { approval } = next;
      if (!(await deps.approvals.settle(approval, 'failed'))) return;
      await showApproval(deps.slack, { ...approval, state: 'failed' }, deps.logger);
      const text = LINK_MESSAGES.approvedNotSent(approval.who.userId, LINK_WAIT_MS);
      await postOrDm(deps.slack, threadOf(approval), approval.who.userId, textMessage(text), deps.logger);
    },
    async run(job, ctx) {
      const { id, requester } = approvalApplyPayload.parse(job.payload);
      const dm = (message: { text: string }) =>
        deps.slack.chat.postMessage({ channel: requester, ...message });
      return answering({ tell: dm }, deps.logger, job.attempt, async () => {
        const next = await deps.approvals.approved(id);
        if (next.kind === 'not-approved') return 'done';
        if (next.kind === 'too-late') {
          await tooLate(next.approval, deps);
          return 'done';
        }
        const { approval, held } = next;
        const work = changeJob(job, ctx);
        const outcome = await deps.changes.request(
          { ...held, confirmed: true, approved: true },
          {
            resumed: work.notes.planned,
            onPlan: work.notes.planned ? undefined : (planned) => work.note({ planned }),
            final: job.attempt >= MAX_ATTEMPTS,
          },
        );
        if (retries(outcome, work)) return retryLater(work, dm);
        await settle(approval, outcome, work, deps, dm);
        return 'done';
      });
    },
  };
}

/** Approved after the expiry it asked for had passed: shown in place, and the requester told. */
async function tooLate(approval: Approval, deps: ListenerDeps): Promise<void> {
  await showApproval(deps.slack, approval, deps.logger);
  await deps.slack.chat.postMessage({ channel: approval.who.userId, text: APPROVAL_NEWS.tooLate(approval) });
}

/** Records what became of the approved change and says it: in the thread, in place, to the requester. */
async function settle(
  approval: Approval,
  outcome: ChangeOutcome,
  job: ChangeJob,
  deps: ListenerDeps,
  dm: (message: Message) => Promise<unknown>,
): Promise<void> {
  const applied = outcome.kind === 'applied';
  // In the request's thread (its reminders come there too), once.
  const thread = (message: Message) =>
    sayOnceInThread(job, deps, { ...approval, userId: approval.who.userId }, message);
  if (outcome.kind === 'applied') {
    const ts = await thread(resultMessage(outcome.result, approval.who.userId, outcome.warning));
    if (ts) await deps.changes.thread(outcome.result, approval.channelId, approval.messageTs ?? ts);
  } else if (outcome.kind === 'failed') {
    await thread(failedMessage(outcome.request, outcome.message, approval.who.userId));
  } else {
    // The change policy no longer lets the requester make this change: they hear why, and the
    // thread whom it is about.
    const answer = privateAnswer(outcome);
    if (answer) {
      const said =
        outcome.kind === 'refused' ? APPROVAL_NEWS.refusedWhenSent(approval, outcome.rule) : undefined;
      await thread(said ? textMessage(said) : answer);
      await dm(answer);
    }
  }
  await deps.approvals.settle(approval, applied ? 'applied' : 'failed');
  await showApproval(deps.slack, { ...approval, state: applied ? 'applied' : 'failed' }, deps.logger);
}
