import type { WebClient } from '@slack/web-api';
import type { Approval } from '../domain/approval.js';
import type { Logger } from '../log.js';
import type { Approvals } from '../services/approvals.js';
import { approvalDecidedMessage, approvalRequestMessage, approvalWaitingMessage } from './blocks/approval.js';
import { postResult } from './reply.js';
import type { Surface } from './surfaces.js';

/**
 * A change held for approval, from whichever surface asked: one message in the channel where it
 * was asked (the approvers mentioned once, never DMed), then the requester told privately that it
 * waits, for whom, with Withdraw. A resumed job finds the message posted already and posts none.
 */
export async function announceApproval(
  approval: Approval,
  surface: Surface,
  deps: { approvals: Approvals; logger: Logger },
): Promise<void> {
  if (!approval.messageTs) {
    const posted = await postResult(
      {
        client: surface.client,
        channel: approval.channelId,
        logger: deps.logger,
        fallback: surface.fallback,
      },
      approvalRequestMessage(approval),
    );
    if (posted.via === 'channel') await deps.approvals.posted(approval.id, approval.channelId, posted.ts);
  }
  await surface.tell(approvalWaitingMessage(approval));
}

/** The request's message, updated in place with what became of it (its buttons gone once decided). */
export async function showApproval(
  slack: Pick<WebClient, 'chat'>,
  approval: Approval,
  logger: Logger,
): Promise<void> {
  if (!approval.messageTs) return;
  try {
    const message =
      approval.state === 'pending' ? approvalRequestMessage(approval) : approvalDecidedMessage(approval);
    await slack.chat.update({ channel: approval.channelId, ts: approval.messageTs, ...message });
  } catch (error) {
    // The decision stands; only its display is stale. Whoever acted was answered separately.
    logger.warn({ err: error, approval: approval.id }, 'could not update an approval request message');
  }
}
