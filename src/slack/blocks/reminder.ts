import type { KnownBlock, View } from '@slack/types';
import type { Expiry } from '../../domain/expiry.js';
import { targetLabel } from '../../domain/targets.js';
import type { Verb } from '../../domain/vocabulary.js';
import { formatRelative, formatUtc, slackDate } from '../../domain/when-format.js';
import { ACTIONS, BLOCKS, INPUTS, VIEWS } from '../ids.js';
import type { Message } from './result.js';
import { context, section } from './text.js';

/** What a reminder button carries: which expiry, and for which instant (a stale click is refused). */
export interface ReminderRef {
  id: string;
  at: number;
}

function describe(e: Expiry): string {
  const detail = e.variationName ?? e.targetType;
  return `\`${targetLabel(e.target)}\`${detail ? ` (${detail})` : ''} on ${e.resource.kind} *${e.resource.key}* in \`${e.resource.environmentKey}\``;
}

/** The reminder posted in the thread of the original result, with what can still be done. */
export function reminderMessage(e: Expiry, now: number): Message {
  const value = JSON.stringify({ id: e.id, at: e.expiresAt } satisfies ReminderRef);
  const when = `${slackDate(e.expiresAt)} (${formatUtc(e.expiresAt)}, ${formatRelative(e.expiresAt, now)})`;
  const text = `:alarm_clock: Reminder: ${describe(e)} expires ${when}. Scheduled by <@${e.requestedBy}>.`;
  const blocks: KnownBlock[] = [
    section(text),
    {
      type: 'actions',
      block_id: BLOCKS.reminderActions,
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.reminderExtend,
          text: { type: 'plain_text', text: 'Extend' },
          value,
          style: 'primary',
        },
        {
          type: 'button',
          action_id: ACTIONS.reminderCancel,
          text: { type: 'plain_text', text: 'Cancel expiry' },
          value,
        },
        {
          type: 'button',
          action_id: ACTIONS.reminderRemoveNow,
          text: { type: 'plain_text', text: 'Remove now' },
          value,
          style: 'danger',
          confirm: {
            title: { type: 'plain_text', text: 'Remove now?' },
            text: {
              type: 'mrkdwn',
              text: `This takes ${targetLabel(e.target)} out of ${e.resource.key} right away.`,
            },
            confirm: { type: 'plain_text', text: 'Remove now' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
      ],
    },
  ];
  return {
    text: `Reminder: ${targetLabel(e.target)} expires from ${e.resource.kind} ${e.resource.key} ${formatUtc(e.expiresAt)}.`,
    blocks,
  };
}

/** The reminder once someone acted on it: the buttons give way to what was done and by whom. */
export function reminderDoneMessage(e: Expiry, done: string, by: string): Message {
  const text = `:white_check_mark: ${describe(e)}: ${done} by <@${by}>.`;
  return {
    text: `${targetLabel(e.target)}: ${done}.`,
    blocks: [section(text)],
  };
}

export const EXTENDED = (at: number) => `expiry moved to ${slackDate(at)} (${formatUtc(at)})`;
export const CANCELLED = 'expiry cancelled, the target stays';
export const REMOVED_NOW = 'removed now';

/** What a reminder says was done, by the verb its button or form asked for. */
export function reminderDone(verb: Verb, expiresAt: number | undefined): string {
  if (verb === 'revoke') return REMOVED_NOW;
  if (verb === 'remove') return CANCELLED;
  return EXTENDED(expiresAt!);
}
export const ALREADY_HANDLED =
  'That reminder is out of date: the expiry was changed or handled already. `/expire list` shows what is scheduled.';

/** The small modal behind Extend: one line of natural language. */
export function extendView(e: Expiry, metadata: string, now: number): View {
  return {
    type: 'modal',
    callback_id: VIEWS.extend,
    private_metadata: metadata,
    title: { type: 'plain_text', text: 'Extend expiry' },
    submit: { type: 'plain_text', text: 'Extend' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`${describe(e)} now expires ${slackDate(e.expiresAt)} (${formatRelative(e.expiresAt, now)}).`),
      {
        type: 'input',
        block_id: BLOCKS.extendWhen,
        label: { type: 'plain_text', text: 'New expiry' },
        hint: {
          type: 'plain_text',
          text: 'In your time zone, e.g. "next friday 5pm", "in 2 weeks", "Dec 3 9:30am".',
        },
        element: { type: 'plain_text_input', action_id: INPUTS.extendWhen, max_length: 200 },
      },
      context('The target keeps its access until then.'),
    ],
  };
}
