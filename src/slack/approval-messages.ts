import type { WebClient } from '@slack/web-api';
import type { Approval } from '../domain/approval.js';
import type { Logger } from '../log.js';
import type { Approvals } from '../services/approvals.js';
import {
  APPROVAL_NEWS,
  approvalDecidedMessage,
  approvalRequestMessage,
  approvalThreadLists,
  approvalWaitingMessage,
} from './blocks/approval.js';
import { textMessage } from './blocks/text.js';
import { findMarked, jobMark, slackErrorCode } from './reply.js';
import type { Surface } from './surfaces.js';

/** chat.postMessage errors after which the request cannot be shown where it was asked. */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * A change held for approval, from whichever surface asked: one message in the channel where it
 * was asked (the approvers mentioned once, never DMed; the targets it cannot hold listed in its
 * thread), then the requester told privately that it waits, for whom, with Withdraw. A resumed job
 * finds the message posted already and posts none. Where approvers cannot see it (a DM with the
 * bot, a channel that refuses the bot, no channel at all) the request is withdrawn and the
 * requester told why: it never waits where nobody can answer it.
 */
export async function announceApproval(
  approval: Approval,
  surface: Surface,
  deps: { approvals: Approvals; logger: Logger },
  /** A job tried before (it may have posted the request before it stopped). */
  resumed = false,
): Promise<void> {
  if (approval.state !== 'pending') {
    // Decided before this (resumed) job got here: say what became of it.
    await surface.tell(approvalDecidedMessage(approval));
    return;
  }
  if (!approval.messageTs) {
    const unseen = async (why: string) => {
      await deps.approvals.withdraw(approval.id, approval.who.userId);
      await surface.tell(textMessage(APPROVAL_NEWS.unposted(approval.channelId, why)));
    };
    // Asked from the Home tab on a watched expiry whose environment no channel of theirs watches.
    if (!approval.channelId) {
      await deps.approvals.withdraw(approval.id, approval.who.userId);
      await surface.tell(textMessage(APPROVAL_NEWS.nowhere));
      return;
    }
    // A DM with the bot is no place for approvers.
    if (/^D/.test(approval.channelId)) return unseen('a direct message');
    // Posted by an earlier try that stopped before noting it: found by its mark, not posted twice.
    const mark = jobMark(`approval:${approval.id}`);
    const to = {
      client: surface.client,
      channel: approval.channelId,
      logger: deps.logger,
      fallback: surface.tell,
    };
    const earlier = resumed ? await findMarked(to, mark) : undefined;
    let ts: string;
    try {
      ts =
        earlier ??
        (
          await surface.client.chat.postMessage({
            channel: approval.channelId,
            ...approvalRequestMessage(approval),
            metadata: mark,
            unfurl_links: false,
          })
        ).ts!;
    } catch (error) {
      const code = slackErrorCode(error);
      if (!code || !CANNOT_POST.has(code)) throw error;
      deps.logger.info({ channel: approval.channelId, code }, 'cannot post an approval request there');
      return unseen(code);
    }
    // The targets the message cannot hold, in its thread, before the message is noted: a job that
    // stops in between lists them again when resumed. Twice is better than an approver never
    // seeing some of what they approve.
    for (const list of approvalThreadLists(approval))
      await surface.client.chat.postMessage({
        channel: approval.channelId,
        thread_ts: ts,
        ...list,
        unfurl_links: false,
      });
    const noted = await deps.approvals.posted(approval.id, approval.channelId, ts);
    if (noted && noted.state !== 'pending') {
      // Decided on its message before it was noted: shown in place now, and said.
      await showApproval(surface.client, noted, deps.logger);
      await surface.tell(approvalDecidedMessage(noted));
      return;
    }
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
