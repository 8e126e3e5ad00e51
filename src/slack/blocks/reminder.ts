import type { KnownBlock, View } from '@slack/types';
import type { Expiry } from '../../domain/expiry.js';
import { targetLabel } from '../../domain/targets.js';
import { EXPIRY_VERBS, VERBS, type Verb } from '../../domain/vocabulary.js';
import type { MirroredExpiry } from '../../domain/watch.js';
import { formatRelative, formatUtc, slackDate } from '../../domain/when-format.js';
import { ACTIONS, BLOCKS, INPUTS, reminderActionOf, VIEWS } from '../ids.js';
import { lookAlikeBlocks } from './look-alikes.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { context, plural, section } from './text.js';

/** What a reminder button carries: which expiry, and for which instant (a stale click is refused). */
export interface ReminderRef {
  id: string;
  at: number;
}

export function describe(e: Expiry): string {
  const detail = e.variationName ?? e.targetType;
  return `\`${targetLabel(e.target)}\`${detail ? ` (${detail})` : ''} on ${e.resource.kind} *${e.resource.key}* in \`${e.resource.environmentKey}\``;
}

function reminderButtons(
  id: string,
  at: number,
  label: string,
  resourceKey: string,
  blockId: string,
): KnownBlock {
  const value = JSON.stringify({ id, at } satisfies ReminderRef);
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.reminderExtend,
        text: { type: 'plain_text', text: 'Extend' },
        value,
        style: 'primary',
      },
      ...EXPIRY_VERBS.map((verb) => {
        const { label: text, does, warns } = VERBS[verb].onExpiry!;
        return {
          type: 'button' as const,
          action_id: reminderActionOf(verb),
          text: { type: 'plain_text' as const, text },
          value,
          ...(warns
            ? {
                style: 'danger' as const,
                confirm: {
                  title: { type: 'plain_text' as const, text: `${text}?` },
                  text: {
                    type: 'mrkdwn' as const,
                    text: `This ${does(escapeMrkdwn(label).slice(0, 280), resourceKey)}.`,
                  },
                  confirm: { type: 'plain_text' as const, text },
                  deny: { type: 'plain_text' as const, text: 'Keep it' },
                },
              }
            : {}),
        };
      }),
    ],
  };
}

/** Targets per grouped reminder message: two blocks each, within Slack's 50 blocks a message. */
export const WATCHED_TARGETS_PER_MESSAGE = 20;

const watchedLabel = (e: MirroredExpiry) => targetLabel(e.target);

/**
 * Reminders in a watching channel for targets of one flag or segment that expire at one instant:
 * "3 targets on flag new-checkout expire in 60 minutes: sandy, bob, organization:acme", then each
 * target with Extend / Cancel expiry / Remove now. However many share the instant, every message
 * stays within Block Kit's limits: 20 targets a message, the rest in messages that follow.
 */
export function watchedReminderMessages(group: MirroredExpiry[], now: number): Message[] {
  const first = group[0]!;
  const { kind, key, environmentKey, projectKey } = first.resource;
  const at = first.expiresAt;
  const names = group.map(watchedLabel);
  const shown = names
    .slice(0, 30)
    .map((n) => `\`${escapeMrkdwn(n)}\``)
    .join(', ');
  const rest = names.length > 30 ? ` and ${plural(names.length - 30, 'more')}` : '';
  const count = plural(group.length, 'target');
  const verb = group.length === 1 ? 'expires' : 'expire';
  const setBy = [...new Set(group.map((e) => e.setBy).filter(Boolean))] as string[];
  const messages: Message[] = [];
  for (let i = 0; i < group.length; i += WATCHED_TARGETS_PER_MESSAGE) {
    const chunk = group.slice(i, i + WATCHED_TARGETS_PER_MESSAGE);
    const head =
      i === 0
        ? `:alarm_clock: ${count} on ${kind} *${key}* ${verb} ${formatRelative(at, now)}: ${shown}${rest}.`
        : `:alarm_clock: (continued) ${kind} *${key}*, targets ${i + 1}–${i + chunk.length} of ${group.length}:`;
    const blocks: KnownBlock[] = [section(head.slice(0, 2_900))];
    if (i === 0) {
      blocks.push(
        context(
          `${slackDate(at)} (${formatUtc(at)}) · project \`${projectKey}\` · environment \`${environmentKey}\`${setBy.length > 0 ? ` · set by ${escapeMrkdwn(setBy.slice(0, 5).join(', '))}` : ''}`,
        ),
      );
    }
    chunk.forEach((e, j) => {
      const detail = e.targetType ?? '';
      blocks.push(
        context(`\`${escapeMrkdwn(watchedLabel(e)).slice(0, 300)}\`${detail ? ` (${detail})` : ''}`),
      );
      blocks.push(
        reminderButtons(e.id, e.expiresAt, watchedLabel(e), key, `${BLOCKS.watchedReminderActions}_${i + j}`),
      );
    });
    messages.push({
      text: `${count} on ${kind} ${key} ${verb} ${formatRelative(at, now)}: ${names.slice(0, 30).join(', ')}${rest}`.slice(
        0,
        3_000,
      ),
      blocks,
    });
  }
  return messages;
}

/** The reminder posted in the thread of the original result, with what can still be done. */
export function reminderMessage(e: Expiry, now: number): Message {
  const when = `${slackDate(e.expiresAt)} (${formatUtc(e.expiresAt)}, ${formatRelative(e.expiresAt, now)})`;
  const text = `:alarm_clock: Reminder: ${describe(e)} expires ${when}. Scheduled by <@${e.requestedBy}>.`;
  const blocks: KnownBlock[] = [
    section(text),
    reminderButtons(e.id, e.expiresAt, targetLabel(e.target), e.resource.key, BLOCKS.reminderActions),
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
    blocks: [section(text), ...lookAlikeBlocks([e.target])],
  };
}

export const EXTENDED = (at: number) => `expiry moved to ${slackDate(at)} (${formatUtc(at)})`;
export const CANCELLED = 'expiry cancelled, the target stays';
export const REMOVED_NOW = 'removed now';

/** What a reminder says was done: removed at once, no longer expiring, or moved to its new instant. */
export function reminderDone(verb: Verb, expiresAt: number | undefined): string {
  if (VERBS[verb].revokes) return REMOVED_NOW;
  if (VERBS[verb].op === 'remove') return CANCELLED;
  return EXTENDED(expiresAt!);
}
export const ALREADY_HANDLED =
  'That reminder is out of date: the expiry was changed or handled already. `/expire list` shows what is scheduled.';
/** Told to a person whose click waits behind another person's on the same expiry. */
export const CLICK_IN_HAND = (owner: string) =>
  `:hourglass: <@${owner}>'s click on this is being handled; I will not do it twice. If theirs is refused or fails, I do yours after it.`;

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
