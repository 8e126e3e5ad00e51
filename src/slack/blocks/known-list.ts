import type { KnownBlock } from '@slack/types';
import { targetLabel } from '../../domain/targets.js';
import type { ListedExpiry } from '../../domain/watch.js';
import { formatUtc, slackDate } from '../../domain/when-format.js';
import { ACTIONS, COMMAND } from '../ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { context, count, packLines, plural, section, WATCHED_UNKNOWN } from './text.js';

/** How many expiries one page of `/expire list` shows. */
export const PAGE_SIZE = 50;

export const KNOWN_LIST_EMPTY = `No upcoming expiries were scheduled through me or are set in an environment a channel of yours watches. \`${COMMAND} help\` shows how to schedule one.`;
export const KNOWN_LIST_WATCHED_UNKNOWN = WATCHED_UNKNOWN(`Try \`${COMMAND} list\` again in a moment.`);

/** Who is behind an expiry: the Slack user who scheduled it through the bot, or who set it in LaunchDarkly. */
function origin(e: ListedExpiry): string {
  if (e.requestedBy) return `by <@${e.requestedBy}>`;
  return e.setBy
    ? `:eyes: set by ${escapeMrkdwn(e.setBy).replace(/&lt;@(U[A-Z0-9]+)&gt;/g, '<@$1>')}`
    : ':eyes: set in LaunchDarkly';
}

/**
 * `/expire list`: upcoming expiries scheduled through the bot and those of the environments the
 * asker's channels watch (marked :eyes:, with who set them when the audit log said), soonest first,
 * a page at a time; `watchedUnknown` when Slack could not say which channels the asker is in.
 */
export function knownListMessage(page: {
  items: ListedExpiry[];
  total: number;
  offset: number;
  watchedUnknown: boolean;
}): Message {
  const unknown = page.watchedUnknown ? [context(KNOWN_LIST_WATCHED_UNKNOWN)] : [];
  if (page.total === 0) return { text: KNOWN_LIST_EMPTY, blocks: [section(KNOWN_LIST_EMPTY), ...unknown] };
  const first = page.offset + 1;
  const last = page.offset + page.items.length;
  const lines = page.items.map((e) => {
    const detail = e.variationName ?? e.targetType;
    const r = e.resource;
    return `• ${slackDate(e.expiresAt)} (${formatUtc(e.expiresAt)}) — \`${escapeMrkdwn(targetLabel(e.target))}\`${detail ? ` (${detail})` : ''} on ${r.kind} *${r.key}* · \`${r.projectKey}\`/\`${r.environmentKey}\` · ${origin(e)}`;
  });
  const blocks: KnownBlock[] = [
    section(`*Upcoming expiries* (${count(first)}–${count(last)} of ${count(page.total)}), soonest first:`),
    ...packLines(lines, 40, (hidden) => `…and ${plural(hidden, 'more')}.`),
    ...unknown,
  ];
  const buttons = [];
  if (page.offset > 0) buttons.push(pageButton('Previous', Math.max(0, page.offset - PAGE_SIZE)));
  if (last < page.total) buttons.push(pageButton('Next', last));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  else blocks.push(context('That is all of them.'));
  return {
    text: `${count(page.total)} upcoming ${page.total === 1 ? 'expiry' : 'expiries'} scheduled through me or in watched environments.`,
    blocks,
  };
}

function pageButton(label: string, offset: number) {
  return {
    type: 'button' as const,
    action_id: `${ACTIONS.listPage}_${label.toLowerCase()}`,
    text: { type: 'plain_text' as const, text: label },
    value: String(offset),
  };
}
