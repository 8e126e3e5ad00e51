import type { KnownBlock, View } from '@slack/types';
import type { ChangeRequest } from '../../domain/change-request.js';
import type { Rule } from '../../domain/policy.js';
import { targetLabel } from '../../domain/targets.js';
import { describeTiming } from '../../domain/timing.js';
import { type ResourceRef, VERBS } from '../../domain/vocabulary.js';
import { formatUtc, slackDate } from '../../domain/when-format.js';
import { ACTIONS, VIEWS } from '../ids.js';
import { lookAlikeBlocks } from './look-alikes.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { codeList, context, section, yesNoButtons } from './text.js';

/**
 * What a request does, with its targets written as `targets` (named, or counted when they are
 * listed apart): "schedule the expiry of `sandy` on flag *x* in `default`/`production` to expire …".
 * A `--grant` says plainly that it adds them ("*give access*: add `sandy` to variation *on* of
 * flag *x* … until …"); a segment names its included or excluded list.
 */
export function describeChange(r: ChangeRequest, targets: string): string {
  const { kind, key, projectKey, environmentKey } = r.resource;
  const where = `in \`${projectKey}\`/\`${environmentKey}\``;
  const variation = r.variation === undefined ? undefined : `*${escapeMrkdwn(r.variation)}*`;
  if (r.grant) {
    const until =
      r.expiresAt === undefined
        ? describeTiming(r)
        : ` until ${slackDate(r.expiresAt)} (${formatUtc(r.expiresAt)})`;
    const into =
      kind === 'segment'
        ? `the *${r.targetType}* targets of segment *${key}*`
        : variation
          ? `variation ${variation} of flag *${key}*`
          : `the individual targets of flag *${key}*`;
    // Excluded from a segment is kept out of it, not given access.
    const gives = kind === 'flag' || r.targetType === 'included' ? '*give access*: ' : '';
    return `${gives}add ${targets} to ${into} ${where}${until}`;
  }
  const on =
    kind === 'segment'
      ? `segment *${key}* (*${r.targetType}*)`
      : `${variation ? `variation ${variation} of ` : ''}flag *${key}*`;
  return `${VERBS[r.verb].words.asks} ${targets} on ${on} ${where}${describeTiming(r)}`;
}

/** `describeChange` naming the targets, as many as fit in a sentence: "`sandy`, `bob` and 3 more". */
export function describeRequest(r: ChangeRequest): string {
  return describeChange(r, codeList(r.targets.map(targetLabel)));
}

export const SAFETY_MESSAGES = {
  refused: (r: ResourceRef, rule?: Rule) =>
    rule
      ? `:no_entry: You may not change \`${r.environmentKey}\` in project \`${r.projectKey}\`: the rule \`${rule.text}\` of CHANGE_POLICY does not include you. Nothing was sent to LaunchDarkly.`
      : `:no_entry: No rule of CHANGE_POLICY lets anyone change \`${r.environmentKey}\` in project \`${r.projectKey}\`. Nothing was sent to LaunchDarkly.`,
  notYours: (owner: string) => `:no_entry: Only <@${owner}> can confirm this change.`,
  expired:
    ':hourglass: This confirmation expired or was already used; nothing was sent. Run the command again.',
  cancelled: 'Cancelled: nothing was sent to LaunchDarkly.',
  confirmed: ':white_check_mark: Confirmed. Working on it…',
};

/** The ephemeral question before a change to a protected environment. */
export function confirmMessage(id: string, r: ChangeRequest): Message {
  const text = `:warning: \`${r.resource.environmentKey}\` is a protected environment. Do you want to ${describeRequest(r)}?`;
  const blocks: KnownBlock[] = [
    section(text),
    ...lookAlikeBlocks(r.targets),
    yesNoButtons(
      id,
      { actionId: ACTIONS.confirm, text: 'Confirm' },
      { actionId: ACTIONS.cancelConfirm, text: 'Cancel' },
    ),
    context('Only you can see this. It expires in 10 minutes.'),
  ];
  return { text: `${r.resource.environmentKey} is protected: confirm the change.`, blocks };
}

/** The same question inside the modal, pushed over the form. */
export function confirmView(id: string, r: ChangeRequest): View {
  return {
    type: 'modal',
    callback_id: VIEWS.confirm,
    private_metadata: JSON.stringify({ id }),
    title: { type: 'plain_text', text: 'Protected environment' },
    submit: { type: 'plain_text', text: 'Confirm' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      section(
        `:warning: \`${r.resource.environmentKey}\` is a protected environment. Do you want to ${describeRequest(r)}?`,
      ),
      ...lookAlikeBlocks(r.targets),
      context('Nothing is sent to LaunchDarkly until you confirm. This expires in 10 minutes.'),
    ],
  };
}

/** A view that only says something (a refused or expired confirmation). */
export function noticeView(text: string): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Protected environment' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(text)],
  };
}
