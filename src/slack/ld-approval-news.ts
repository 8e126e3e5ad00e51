import { z } from 'zod';
import { type LdApproval, type LdApprovalNews, ldApprovalNewsSchema } from '../domain/ld-approval.js';
import { LdError } from '../launchdarkly/errors.js';
import { fullName } from '../launchdarkly/schemas.js';
import { describeLdError, isTransient } from '../services/ld-errors.js';
import { JOB_KINDS } from '../work/kinds.js';
import { type JobResult, MAX_ATTEMPTS } from '../work/worker.js';
import { answering, type ChangeJob, changeJob, retries, retryLater, sayOnceInThread } from './announce.js';
import { LD_APPROVAL_NEWS, ldAppliedMessage } from './blocks/ld-approval.js';
import { failedMessage, type Message } from './blocks/result.js';
import { textMessage } from './blocks/text.js';
import type { ListenerDeps } from './context.js';
import { BLOCKS } from './ids.js';
import type { LinkAwareJob } from './link-hold.js';
import { dropBlock, postOrDm, threadOf } from './reply.js';

const ldApprovalNewsPayload = z.object({ id: z.string(), news: ldApprovalNewsSchema });

/** How soon targets expire whose approval came after the expiry they asked for. */
export const LATE_EXPIRY_MS = 60_000;

/**
 * Acts on what became of a LaunchDarkly approval request the bot made: approved → applied (as the
 * requester may); applied → the expiry it waited for is set through the one change path (a minute
 * from now when its time has passed) and the result said in the change's thread; declined, deleted,
 * failed, still pending → said there. Each once: said, noted, then the request settled.
 */
export function ldApprovalNewsJob(deps: ListenerDeps): LinkAwareJob {
  return {
    /**
     * The requester never linked (LD_ACT_AS=person) while the request waited for them: applied,
     * its targets have access and no expiry (settled first, once, then said); approved, it is not
     * applied (followed on). The thread and the requester hear exactly that.
     */
    async dropped(job) {
      const { id, news } = ldApprovalNewsPayload.parse(job.payload);
      const approval = await deps.ldApprovals.get(id);
      if (approval?.state !== 'open') return;
      const completed = news.kind === 'completed';
      if (completed && !(await deps.ldApprovals.settle(approval, news))) return;
      const text = completed
        ? LD_APPROVAL_NEWS.expiryNotSet(approval)
        : LD_APPROVAL_NEWS.notApplied(approval);
      await postOrDm(deps.slack, threadOf(approval), approval.who.userId, textMessage(text), deps.logger);
      if (completed) await retireReviewButtons(approval, deps);
    },
    async run(job, ctx) {
      const { id, news } = ldApprovalNewsPayload.parse(job.payload);
      const approval = await deps.ldApprovals.get(id);
      if (approval?.state !== 'open') return 'done';
      const work = changeJob(job, ctx);
      const dm = (message: Message) =>
        deps.slack.chat.postMessage({ channel: approval.who.userId, ...message });
      return answering({ tell: dm }, deps.logger, job.attempt, async () => {
        if (news.kind === 'approved') {
          // Applied: what follows is the `completed` job's, the one the next read would submit,
          // so that the expiry is set by one job however LaunchDarkly's news reaches the bot.
          if (await applyApproved(approval, deps, work)) await submitNews(deps, id, { kind: 'completed' });
          return 'done';
        }
        if (news.kind === 'completed') {
          const retry = await setExpiry(approval, deps, work, dm);
          if (retry) return retry;
        } else {
          const said =
            news.kind === 'declined' && news.by ? { ...news, by: await memberName(deps, news.by) } : news;
          await say(approval, work, deps, textMessage(newsText(approval, said)));
        }
        if (news.kind !== 'still-pending') await retireReviewButtons(approval, deps);
        await deps.ldApprovals.settle(approval, news);
        return 'done';
      });
    },
  };
}

function newsText(a: LdApproval, news: Exclude<LdApprovalNews, { kind: 'completed' | 'approved' }>): string {
  switch (news.kind) {
    case 'declined':
      return LD_APPROVAL_NEWS.declined(a, news.by, news.comment);
    case 'deleted':
      return LD_APPROVAL_NEWS.deleted(a);
    case 'failed':
      return LD_APPROVAL_NEWS.failed(a);
    case 'still-pending':
      return LD_APPROVAL_NEWS.stillPending(a, news.unreadable);
  }
}

/**
 * Hands a piece of news to its job, keyed by request and kind: two replicas (or the pass and an
 * apply) finding the same news submit it once.
 */
export function submitNews(deps: Pick<ListenerDeps, 'work'>, id: string, news: LdApprovalNews) {
  return deps.work.submit(JOB_KINDS.ldApproval, `ld-approval:${id}:${news.kind}`, { id, news });
}

/**
 * Applies an approved request, unless it is applied already (by a person in LaunchDarkly, or by
 * this job before a crash or a lost answer): true once it is. Refused → said once, with the link,
 * and the request followed on (it may still be applied in LaunchDarkly).
 */
async function applyApproved(approval: LdApproval, deps: ListenerDeps, work: ChangeJob): Promise<boolean> {
  const ref = approval.request.resource;
  const applied = async () => (await deps.ld.getApprovalRequest(ref, approval.id)).status === 'completed';
  if (await applied()) return true;
  try {
    // As the requester may: with LD_ACT_AS=person, their own token.
    const ld = await deps.actAs.clientFor(approval.who.userId);
    const answer = await ld.applyApprovalRequest(ref, approval.id, approval.request.comment);
    return answer.status === 'completed';
  } catch (error) {
    if (!(error instanceof LdError) || isTransient(error)) throw error;
    if (await applied()) return true;
    const why = describeLdError(error, ref);
    await say(approval, work, deps, textMessage(LD_APPROVAL_NEWS.applyRefused(approval, why)));
    return false;
  }
}

/**
 * The request is applied: the targets it granted get the expiry they waited for, sent as the
 * change it was (the change policy allowed it when asked; setting an expiry only limits access).
 * Its time already gone: they expire a minute from now instead — taking them out at once would be
 * one more change LaunchDarkly holds for approval, while its expiries need none.
 */
async function setExpiry(
  approval: LdApproval,
  deps: ListenerDeps,
  work: ChangeJob,
  dm: (message: Message) => Promise<unknown>,
): Promise<JobResult | undefined> {
  const now = deps.now().getTime();
  const late = (approval.request.expiresAt ?? Infinity) <= now;
  const request = late ? { ...approval.request, expiresAt: now + LATE_EXPIRY_MS } : approval.request;
  const outcome = await deps.changes.apply(
    { who: approval.who, request, confirmed: true, approved: true, provenance: approval.provenance },
    {
      resumed: work.notes.planned,
      onPlan: work.notes.planned ? undefined : (planned) => work.note({ planned }),
      final: work.attempt >= MAX_ATTEMPTS,
    },
  );
  if (retries(outcome, work)) return retryLater(work, dm);
  if (outcome.kind === 'applied') {
    const ts = await say(approval, work, deps, ldAppliedMessage(approval, outcome.result, late));
    if (ts) await deps.changes.thread(outcome.result, approval.channelId, approval.messageTs ?? ts);
  } else if (outcome.kind === 'failed') {
    await say(approval, work, deps, failedMessage(outcome.request, outcome.message, approval.who.userId));
  }
  return undefined;
}

/**
 * A decided request's Approve / Decline are spent: taken off the change's message (best effort; a
 * click on buttons left behind is told the request is decided).
 */
export async function retireReviewButtons(
  approval: LdApproval,
  deps: Pick<ListenerDeps, 'slack' | 'logger'>,
) {
  if (!approval.messageTs) return;
  const at = { channel: approval.channelId, ts: approval.messageTs };
  await dropBlock(deps.slack, at, { id: BLOCKS.ldReviewActions, value: approval.id }, deps.logger);
}

/** "Ariel Flores" for a member id; the id's owner unnamed when LaunchDarkly can't say. */
async function memberName(deps: ListenerDeps, memberId: string): Promise<string> {
  try {
    const member = await deps.ld.getMember(memberId);
    return fullName(member) ?? member.email;
  } catch (error) {
    deps.logger.warn({ err: error, memberId }, 'could not name a LaunchDarkly member');
    return 'a LaunchDarkly member';
  }
}

/**
 * Says it in the thread of the change that made the request (or to the requester, when that
 * channel no longer takes the bot's messages); noted once posted, so a resumed job does not say it
 * twice. Returns the message's ts.
 */
function say(approval: LdApproval, work: ChangeJob, deps: ListenerDeps, message: Message) {
  return sayOnceInThread(work, deps, { ...approval, userId: approval.who.userId }, message);
}
