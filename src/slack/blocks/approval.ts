import type { KnownBlock, View } from '@slack/types';
import type { Approval, ApproverRefusal } from '../../domain/approval.js';
import type { Rule } from '../../domain/policy.js';
import { targetLabel } from '../../domain/targets.js';
import { slackDate } from '../../domain/when-format.js';
import { ACTIONS, BLOCKS, INPUTS, VIEWS } from '../ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { describeChange, describeRequest } from './safety.js';
import {
  codeList,
  codeListFits,
  context,
  count,
  LIMITS,
  packLines,
  plural,
  section,
  yesNoButtons,
} from './text.js';

/** A user, a user group, or everyone, as Slack mentions them. */
const mention = (who: string) =>
  who === '*' ? 'anyone but the requester' : who.startsWith('S') ? `<!subteam^${who}>` : `<@${who}>`;

/** "<@U2>, <!subteam^S0RELEASE> (2 of them)" */
export function approversLine(a: Pick<Approval, 'approvers' | 'needed'>): string {
  const who = a.approvers.map(mention).join(', ');
  return a.needed > 1 ? `${who} (${a.needed} different approvers)` : who;
}

const votesLine = (a: Pick<Approval, 'votes'>) =>
  a.votes.map((v) => `<@${v.userId}> ${slackDate(v.at)}`).join(', ');

/**
 * Room for the targets in the request's message, besides its sentence, the words typed and why,
 * who may approve and the buttons (Slack's 50 blocks); the rest go in its thread.
 */
const TARGET_BLOCKS = LIMITS.messageBlocks - 4;

/** Target labels as code, one a line, in at most `maxBlocks` sections; `shown` is how many fit. */
function targetSections(
  labels: readonly string[],
  maxBlocks: number,
  more: (hidden: number) => string,
): { blocks: KnownBlock[]; shown: number } {
  let shown = labels.length;
  const blocks = packLines(
    labels.map((label) => `\`${label}\``),
    maxBlocks,
    (hidden) => {
      shown -= hidden;
      return more(hidden);
    },
  );
  return { blocks, shown };
}

/**
 * What the approvers are asked: the sentence, with the targets in it when they fit, else counted
 * and each one listed below it (those the message cannot hold, in its thread: `approvalThreadLists`).
 */
function asked(a: Approval): { sentence: string; list: KnownBlock[]; shown: number } {
  const labels = a.request.targets.map(targetLabel);
  // Named in the sentence when they all fit in one, else counted and listed apart.
  if (codeListFits(labels))
    return {
      sentence: describeChange(a.request, codeList(labels)),
      list: [],
      shown: labels.length,
    };
  const { blocks, shown } = targetSections(
    labels,
    TARGET_BLOCKS,
    (hidden) => `…and ${count(hidden)} more, listed in this thread.`,
  );
  return { sentence: describeChange(a.request, plural(labels.length, 'target')), list: blocks, shown };
}

function summary(a: Approval): KnownBlock[] {
  const { request } = a;
  const { sentence, list } = asked(a);
  const blocks: KnownBlock[] = [
    section(`:raised_hand: <@${a.who.userId}> asks to ${sentence}.`.slice(0, 2_900)),
    ...list,
  ];
  const details = [
    request.words ? `typed: “${escapeMrkdwn(request.words).slice(0, 200)}”` : undefined,
    request.reason ? `why: “${escapeMrkdwn(request.reason).slice(0, 500)}”` : undefined,
  ].filter(Boolean);
  if (details.length > 0) blocks.push(context(details.join(' · ')));
  return blocks;
}

/**
 * The targets a request's message could not hold, for its thread: in as many messages as they
 * need, each saying which of them it lists. None when the message holds them all.
 */
export function approvalThreadLists(a: Approval): Message[] {
  const labels = a.request.targets.map(targetLabel);
  const messages: Message[] = [];
  for (let from = asked(a).shown; from < labels.length; ) {
    const { blocks, shown } = targetSections(
      labels.slice(from),
      LIMITS.messageBlocks - 1,
      (hidden) => `…and ${count(hidden)} more in the next message.`,
    );
    const head = `Targets ${count(from + 1)}–${count(from + shown)} of the ${count(labels.length)} this request is for:`;
    messages.push({ text: head, blocks: [section(head), ...blocks] });
    from += shown;
  }
  return messages;
}

/** Approve and Decline on a request (in its channel, and on an approver's Home tab). */
function approvalButtons(id: string, blockId: string = BLOCKS.approvalActions): KnownBlock {
  return yesNoButtons(
    id,
    { actionId: ACTIONS.approvalApprove, text: 'Approve' },
    { actionId: ACTIONS.approvalDecline, text: 'Decline' },
    blockId,
  );
}

/** The request in the channel where it was asked: the approvers mentioned once, Approve and Decline. */
export function approvalRequestMessage(a: Approval): Message {
  const blocks = [
    ...summary(a),
    context(
      `Needs approval from ${approversLine(a)} · expires undecided ${slackDate(a.expiresAt)}${a.votes.length > 0 ? ` · approved so far by ${votesLine(a)}` : ''}`,
    ),
    approvalButtons(a.id),
  ];
  return {
    text: `${a.who.userName} asks for approval: ${asked(a).sentence}`.slice(0, 3_000),
    blocks,
  };
}

/** What became of a request, shown in place of its buttons. */
export function approvalDecidedMessage(a: Approval): Message {
  const decided = APPROVAL_OUTCOMES[a.state](a);
  return { text: decided, blocks: [...summary(a), context(decided)] };
}

const APPROVAL_OUTCOMES: Record<Approval['state'], (a: Approval) => string> = {
  pending: (a) =>
    `:hourglass: Waiting for ${approversLine(a)}; approved so far by ${votesLine(a) || 'nobody'}.`,
  approved: (a) => `:white_check_mark: Approved by ${votesLine(a)}. Applying it…`,
  applied: (a) => `:white_check_mark: Approved by ${votesLine(a)}. Applied: the result is in the thread.`,
  failed: (a) => `:x: Approved by ${votesLine(a)}, but it could not be applied: the thread says why.`,
  declined: (a) =>
    `:no_entry: Declined by <@${a.decidedBy}>${a.declineReason ? `: “${escapeMrkdwn(a.declineReason).slice(0, 500)}”` : ''}. Nothing was changed.`,
  withdrawn: (a) => `:leftwards_arrow_with_hook: Withdrawn by <@${a.who.userId}>. Nothing was changed.`,
  expired: () => ':hourglass: Expired undecided; nothing was changed.',
  'too-late': (a) =>
    `:hourglass: Approved by ${votesLine(a)} after the expiry it asked for had passed, so nothing was changed. <@${a.who.userId}>, ask again with a new time.`,
};

/** The requester's private answer: it waits, for whom, and how to take it back. */
export function approvalWaitingMessage(a: Approval): Message {
  const text = `:hourglass: Your request waits for approval by ${approversLine(a)}. I will tell you what they decide; it expires undecided ${slackDate(a.expiresAt)}.`;
  return {
    text,
    blocks: [section(text), { type: 'actions', elements: [withdrawButton(a.id)] }],
  };
}

const withdrawButton = (id: string) => ({
  type: 'button' as const,
  action_id: ACTIONS.approvalWithdraw,
  text: { type: 'plain_text' as const, text: 'Withdraw' },
  value: id,
});

/** The one reminder, in the request's thread, at half its wait. */
export function approvalReminderMessage(a: Approval): Message {
  const text = `:alarm_clock: ${approversLine(a)}: this request still waits for approval; it expires undecided ${slackDate(a.expiresAt)}.`;
  return { text, blocks: [section(text)] };
}

/** Decline's form: an optional reason, told to the requester and shown on the request. */
export function declineView(approvalId: string, home = false): View {
  return {
    type: 'modal',
    callback_id: VIEWS.decline,
    private_metadata: JSON.stringify({ id: approvalId, ...(home ? { home } : {}) }),
    title: { type: 'plain_text', text: 'Decline the request' },
    submit: { type: 'plain_text', text: 'Decline' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: BLOCKS.declineReason,
        optional: true,
        label: { type: 'plain_text', text: 'Why (optional)' },
        element: {
          type: 'plain_text_input',
          action_id: INPUTS.declineReason,
          max_length: 500,
          multiline: true,
        },
      },
    ],
  };
}

/** What a click that changes nothing is told, privately. */
export const APPROVAL_REFUSALS: Record<ApproverRefusal | 'gone' | 'not-yours', string> = {
  requester: ':no_entry: You asked for this change, so someone else has to approve or decline it.',
  'not-an-approver':
    ':no_entry: Only the approvers APPROVERS names for this environment can approve or decline it; nothing changed.',
  'already-approved': 'You approved this already; it waits for another approver.',
  decided: 'This request was already decided, withdrawn or expired; nothing changed.',
  gone: 'This request is no longer known; nothing changed.',
  'not-yours': ':no_entry: Only the person who asked can withdraw this request.',
};

/** What a click on a request that no longer waits is told, by what became of it. */
export function stateAnswer(a: Pick<Approval, 'state'>): string {
  switch (a.state) {
    case 'approved':
      return 'This request is approved already and being applied.';
    case 'applied':
      return 'This request was approved and applied already; its thread has the result.';
    case 'failed':
      return 'This request was approved, but could not be applied: its thread says why.';
    case 'pending':
      return 'This request still waits for approval.';
    default:
      return APPROVAL_REFUSALS.decided;
  }
}

/** What the requester is told once their request is decided. */
export const APPROVAL_NEWS = {
  declined: (a: Approval) =>
    `:no_entry: <@${a.decidedBy}> declined your request to ${describeRequest(a.request)}${a.declineReason ? `: “${escapeMrkdwn(a.declineReason).slice(0, 500)}”` : ''}. Nothing was changed.`,
  withdrawn: 'Withdrawn: nothing was changed.',
  expired: (a: Approval) =>
    `:hourglass: Nobody decided on your request to ${describeRequest(a.request)} in time; it expired and nothing was changed.`,
  tooLate: (a: Approval) =>
    `:hourglass: Your request to ${describeRequest(a.request)} was approved after the expiry it asked for had passed, so nothing was changed. Ask again with a new time.`,
  /** Approved, but CHANGE_POLICY, asked again as it was sent, no longer lets the requester: for the thread. */
  refusedWhenSent: (a: Approval, rule: Rule | undefined) => {
    const { environmentKey, projectKey } = a.request.resource;
    const why = rule ? `its rule \`${rule.text}\` does not include them` : 'no rule of it lets anyone';
    return `:no_entry: Approved, but not sent: CHANGE_POLICY no longer lets <@${a.who.userId}> change \`${environmentKey}\` in project \`${projectKey}\` (${why}). Nothing was sent to LaunchDarkly.`;
  },
  unposted: (channelId: string, why: string) =>
    `:x: I could not show your request to its approvers in <#${channelId}> (${why}), so I withdrew it and nothing was changed. Ask in a channel where I am a member and the approvers can see it (or /invite me here).`,
  nowhere:
    ':x: This expiry was set in LaunchDarkly and no channel of yours watches its environment (any more), so there is no channel where you and its approvers would see your request: I withdrew it and nothing was changed. Ask for it with `/expire` in a channel where the approvers can see it.',
  approving: ":white_check_mark: Approved: I am applying it now; the result will be in the request's thread.",
  counted: (needed: number, have: number) =>
    `:white_check_mark: Your approval is counted (${have} of ${needed}); it waits for another approver.`,
};

/** How many pending requests `/expire approvals` lists; the rest are counted. */
export const APPROVAL_LIST_LIMIT = 20;

/** `/expire approvals`: the channel's requests that wait, oldest first, to the asker only. */
export function approvalListMessage(pending: readonly Approval[]): Message {
  if (pending.length === 0) {
    const text = 'No request waits for approval in this channel.';
    return { text, blocks: [section(text)] };
  }
  const head = `${pending.length === 1 ? '1 request waits' : `${pending.length} requests wait`} for approval in this channel:`;
  const shown = pending
    .slice(0, APPROVAL_LIST_LIMIT)
    .map((a) =>
      section(
        `<@${a.who.userId}> asks to ${describeRequest(a.request)}. Needs ${approversLine(a)}${a.votes.length > 0 ? `; approved so far by ${votesLine(a)}` : ''}; expires undecided ${slackDate(a.expiresAt)}.`.slice(
          0,
          2_900,
        ),
      ),
    );
  const more =
    pending.length > APPROVAL_LIST_LIMIT
      ? [context(`…and ${pending.length - APPROVAL_LIST_LIMIT} more.`)]
      : [];
  return { text: head, blocks: [section(head), ...shown, ...more] };
}

/**
 * The Home tab's approvals: what waits for this person's approval (with the buttons) and what of
 * theirs waits for others, at most `limit` of each (the view holds 100 blocks).
 */
export function homeApprovalBlocks(
  approvals: { awaiting: readonly Approval[]; asked: readonly Approval[] },
  limit: number,
): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const more = (list: readonly Approval[]) =>
    list.length > limit
      ? [context(`…and more: \`/expire approvals\` in their channels lists them all.`)]
      : [];
  if (approvals.awaiting.length > 0) {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Waiting for your approval' } });
    approvals.awaiting.slice(0, limit).forEach((a, i) => {
      // Too many targets to name here: the request's message lists each one.
      const all = codeListFits(a.request.targets.map(targetLabel))
        ? ''
        : ` Each target is listed in its message in <#${a.channelId}> (and its thread).`;
      blocks.push(
        section(`<@${a.who.userId}> asks to ${describeRequest(a.request)}.${all}`.slice(0, 2_900)),
        approvalButtons(a.id, `${BLOCKS.approvalActions}_home_${i}`),
      );
    });
    blocks.push(...more(approvals.awaiting));
  }
  if (approvals.asked.length > 0) {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Your requests waiting for approval' } });
    for (const a of approvals.asked.slice(0, limit))
      blocks.push({
        ...section(
          `You asked to ${describeRequest(a.request)}. Waiting for ${approversLine(a)}; expires undecided ${slackDate(a.expiresAt)}.`.slice(
            0,
            2_900,
          ),
        ),
        // The requester may take it back from here too (the block count stays one per request).
        accessory: withdrawButton(a.id),
      } as KnownBlock);
    blocks.push(...more(approvals.asked));
  }
  return blocks;
}
