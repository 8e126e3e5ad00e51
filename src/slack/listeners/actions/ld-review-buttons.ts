import type { BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { requesterSchema } from '../../../domain/change-request.js';
import type { LdApproval } from '../../../domain/ld-approval.js';
import { LdError } from '../../../launchdarkly/errors.js';
import { describeLdError, isTransient } from '../../../services/ld-errors.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { LD_REVIEW } from '../../blocks/ld-approval.js';
import { textMessage } from '../../blocks/text.js';
import { clicker, clickJob } from '../../clicks.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import { retireReviewButtons } from '../../ld-approval-news.js';
import { postOrDm, threadOf } from '../../reply.js';
import type { Router } from '../../router.js';
import { takeOnClick } from '../../submit.js';

const reviewSchema = z.object({
  id: z.string().max(64),
  kind: z.enum(['approve', 'decline']),
  who: requesterSchema,
  responseUrl: z.string().optional(),
});

/**
 * Approve / Decline on a message naming a LaunchDarkly approval request (PRODUCT §15): the
 * clicker's own review, one job per request, clicker and click. Anyone may click; LaunchDarkly
 * decides (its roles, its rule that nobody reviews their own request).
 */
export function registerLdReviewButtons(router: Router, deps: ListenerDeps): void {
  for (const [actionId, kind] of [
    [ACTIONS.ldReviewApprove, 'approve'],
    [ACTIONS.ldReviewDecline, 'decline'],
  ] as const) {
    router.action<BlockAction<ButtonAction>>(actionId, async (click) => {
      const { action, body } = click;
      await takeOnClick(click, deps, {
        kind: JOB_KINDS.ldReview,
        id: `ld-review:${action.value}:${body.user.id}:${kind}:${action.action_ts}`,
        payload: { id: action.value ?? '', kind, who: clicker(body), responseUrl: body.response_url },
      });
    });
  }
}

/**
 * Sends the review with the clicker's linked LaunchDarkly member (never the bot's token: the bot
 * does not review); someone not linked is held for a link like any change. Sent → said in the
 * request's thread and the request read at its next pass; refused → LaunchDarkly's words, privately.
 */
export function ldReviewJob(deps: ListenerDeps): JobKind {
  return clickJob(reviewSchema, deps, async (p, tell) => {
    const approval = await deps.ldApprovals.get(p.id);
    if (approval?.state !== 'open') {
      await tell(textMessage(LD_REVIEW.decided));
      if (approval) await retireReviewButtons(approval, deps);
      return 'done';
    }
    const ref = approval.request.resource;
    if (p.who.userId === approval.who.userId && !(await requestedAs(p.who.userId, approval, deps))) {
      await tell(textMessage(LD_REVIEW.ownRequest));
      return 'done';
    }
    const ld = await deps.actAs.personClient(p.who.userId);
    const comment = `${p.kind === 'approve' ? 'Approved' : 'Declined'} in Slack by @${p.who.userName} (${p.who.userId})`;
    try {
      await ld.reviewApprovalRequest(ref, approval.id, p.kind, comment);
    } catch (error) {
      if (!(error instanceof LdError) || isTransient(error)) throw error;
      await tell(textMessage(LD_REVIEW.refused(error.ldMessage ?? describeLdError(error, ref))));
      return 'done';
    }
    await deps.ldApprovalStore.checkSoon(ref, deps.now().getTime());
    const said = textMessage(LD_REVIEW.sent(p.who.userId, p.kind));
    if ((await postOrDm(deps.slack, threadOf(approval), p.who.userId, said, deps.logger)) === 'retry')
      await tell(said);
    return 'done';
  });
}

/**
 * Whether LaunchDarkly knows the Slack requester as the request's requestor (it was created with
 * their token): then LaunchDarkly's own rule refuses their review, in its words. Otherwise (the bot
 * made it with its token) it cannot tell them apart, and the bot refuses it itself.
 */
async function requestedAs(userId: string, approval: LdApproval, deps: ListenerDeps): Promise<boolean> {
  const acting = await deps.actAs.acting(userId);
  const member = acting.as === 'person' ? acting.link : acting.as === 'bot' ? acting.linked : undefined;
  if (!member) return false;
  // Unreadable (deleted, say): refused as theirs, the safe side; LaunchDarkly would refuse it too.
  const read = await deps.ld.getApprovalRequest(approval.request.resource, approval.id).catch((error) => {
    deps.logger.warn({ err: error, approval: approval.id }, 'could not read who asked for a request');
    return undefined;
  });
  return read?.requestorId === member.memberId;
}
