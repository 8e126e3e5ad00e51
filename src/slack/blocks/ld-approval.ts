import type { KnownBlock } from '@slack/types';
import type { LdApproval } from '../../domain/ld-approval.js';
import { targetLabel } from '../../domain/targets.js';
import { slackDate } from '../../domain/when-format.js';
import type { ChangeResult } from '../../services/apply-change.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { type Message, resultMessage } from './result.js';
import { codeList, packLines, plural, section } from './text.js';

const link = (a: LdApproval) => `<${a.url}|LaunchDarkly's approval request>`;

function what(a: LdApproval): string {
  const { resource, targets } = a.request;
  return `${codeList(targets.map(targetLabel))} on ${resource.kind} *${resource.key}* in *${resource.environmentKey}*`;
}

/** The news of a LaunchDarkly approval request the bot made, said in the thread of the change. */
export const LD_APPROVAL_NEWS = {
  declined: (a: LdApproval, by: string | undefined, comment: string | undefined) =>
    `:no_entry: ${link(a)} for ${what(a)} was declined${by ? ` by ${escapeMrkdwn(by)}` : ''}${comment ? `: “${escapeMrkdwn(comment.slice(0, 500))}”` : ''}. Nothing was added; <@${a.who.userId}> may ask again.`,
  deleted: (a: LdApproval) =>
    `:wastebasket: ${link(a)} for ${what(a)} was deleted in LaunchDarkly. Nothing was added; <@${a.who.userId}> may ask again.`,
  failed: (a: LdApproval) =>
    `:x: LaunchDarkly could not apply ${link(a)} for ${what(a)} (its status is "failed"). Nothing was added; check the request in LaunchDarkly.`,
  stillPending: (a: LdApproval, unreadable?: string) =>
    `:hourglass: ${link(a)} for ${what(a)}, asked by <@${a.who.userId}>, is still waiting for a review in LaunchDarkly. I will set the expiry if it is applied.${unreadable ? ` (I cannot read it just now: ${escapeMrkdwn(unreadable)})` : ''}`,
  applyRefused: (a: LdApproval, why: string) =>
    `:warning: ${link(a)} for ${what(a)} is approved, but LaunchDarkly would not let me apply it: ${escapeMrkdwn(why)} Apply it in LaunchDarkly; I will set the expiry once it is applied.`,
  /** Its expiry waited for the requester's link (LD_ACT_AS=person), which never came. */
  expiryNotSet: (a: LdApproval) =>
    `:warning: ${link(a)} was applied in LaunchDarkly, so ${what(a)} have access now — but *no expiry is set*: <@${a.who.userId}> did not link their LaunchDarkly account in time, and I change nothing with my own token. Set the expiry in LaunchDarkly, or link (\`/expire link\`) and schedule it again.`,
  /** Its apply waited for the requester's link, which never came. */
  notApplied: (a: LdApproval) =>
    `:hourglass: ${link(a)} for ${what(a)} is approved but not applied: <@${a.who.userId}> did not link their LaunchDarkly account in time. Apply it in LaunchDarkly; I will set the expiry once it is applied.`,
  /** Applied after the expiry it asked for had passed: the targets expire within a minute. */
  late: 'LaunchDarkly applied the request after the expiry it asked for had passed, so they expire a minute from now.',
};

/** A linked person's review of a LaunchDarkly approval request, from Slack. */
export const LD_REVIEW = {
  sent: (userId: string, kind: 'approve' | 'decline') =>
    `:ballot_box_with_check: <@${userId}> ${kind === 'approve' ? 'approved' : 'declined'} it in LaunchDarkly, as their linked member.`,
  refused: (why: string) => `:no_entry: LaunchDarkly did not take your review: ${escapeMrkdwn(why)}`,
  decided: 'That LaunchDarkly approval request is decided already; nothing was sent.',
  /** The requester's own review, where LaunchDarkly cannot tell them from the bot that made it. */
  ownRequest:
    ':no_entry: You asked for this change, so you cannot review its approval request: someone else must approve or decline it. Nothing was sent.',
};

/** The request was applied in LaunchDarkly: the expiry it waited for, set (or why not). */
export function ldAppliedMessage(a: LdApproval, result: ChangeResult, late: boolean): Message {
  const message = resultMessage(result, a.who.userId, late ? LD_APPROVAL_NEWS.late : undefined);
  const applied = section(`:unlock: ${link(a)} for ${what(a)} was approved and applied in LaunchDarkly.`);
  return { text: message.text, blocks: [applied, ...message.blocks] };
}

/** A line for /expire list and Home: targets waiting for a LaunchDarkly approval, and until when. */
function ldWaitingLine(a: LdApproval): string {
  const until = a.request.expiresAt !== undefined ? `, then until ${slackDate(a.request.expiresAt)}` : '';
  return `• :lock: ${what(a)}: waiting for ${link(a)} (asked by <@${a.who.userId}>${until})`;
}

/** The lines of targets waiting for LaunchDarkly approvals, as sections within `maxBlocks`. */
export function ldWaitingBlocks(waiting: readonly LdApproval[], maxBlocks: number): KnownBlock[] {
  if (waiting.length === 0) return [];
  return packLines(
    ['*Waiting for approval in LaunchDarkly:*', ...waiting.map(ldWaitingLine)],
    maxBlocks,
    (hidden) => `…and ${plural(hidden, 'more request')}.`,
  );
}
