import type { KnownBlock, View } from '@slack/types';
import type { ChangeRequest } from '../../domain/change-request.js';
import type { Rule } from '../../domain/policy.js';
import { targetLabel } from '../../domain/targets.js';
import { describeTiming } from '../../domain/timing.js';
import { type ResourceRef, VERBS } from '../../domain/vocabulary.js';
import { ACTIONS, VIEWS } from '../ids.js';
import { lookAlikeBlocks } from './look-alikes.js';
import type { Message } from './result.js';
import { context, section, yesNoButtons } from './text.js';

/** "schedule the expiry of 2 targets (sandy, bob) on flag new-checkout in default/production …" */
export function describeRequest(r: ChangeRequest): string {
  const names = r.targets
    .slice(0, 10)
    .map((t) => `\`${targetLabel(t)}\``)
    .join(', ');
  const more = r.targets.length > 10 ? ` and ${r.targets.length - 10} more` : '';
  return `${VERBS[r.verb].words.asks} ${names}${more} on ${r.resource.kind} *${r.resource.key}* in \`${r.resource.projectKey}\`/\`${r.resource.environmentKey}\`${describeTiming(r)}`;
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
