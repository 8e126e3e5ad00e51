import type { KnownBlock } from '@slack/types';
import type { Expiry } from '../../domain/expiry.js';
import { targetLabel } from '../../domain/targets.js';
import { formatUtc, slackDate } from '../../domain/when-format.js';

import { ACTIONS } from '../ids.js';
import type { Message } from './result.js';
import { context, count, packLines, plural, section } from './text.js';

/** How many expiries one page of `/expire list` shows. */
export const PAGE_SIZE = 50;

/** `/expire list`: upcoming expiries scheduled through the bot, soonest first, a page at a time. */
export function knownListMessage(page: { items: Expiry[]; total: number; offset: number }): Message {
  if (page.total === 0) {
    const text = 'No upcoming expiries were scheduled through me. `/expire help` shows how to schedule one.';
    return { text, blocks: [section(text)] };
  }
  const first = page.offset + 1;
  const last = page.offset + page.items.length;
  const lines = page.items.map((e) => {
    const detail = e.variationName ?? e.targetType;
    const { resource: r } = e;
    return `• ${slackDate(e.expiresAt)} (${formatUtc(e.expiresAt)}) — \`${targetLabel(e.target)}\`${detail ? ` (${detail})` : ''} on ${r.kind} *${r.key}* · \`${r.projectKey}\`/\`${r.environmentKey}\` · by <@${e.requestedBy}>`;
  });
  const blocks: KnownBlock[] = [
    section(`*Upcoming expiries* (${count(first)}–${count(last)} of ${count(page.total)}), soonest first:`),
    ...packLines(lines, 40, (hidden) => `…and ${plural(hidden, 'more')}.`),
  ];
  const buttons = [];
  if (page.offset > 0) buttons.push(pageButton('Previous', Math.max(0, page.offset - PAGE_SIZE)));
  if (last < page.total) buttons.push(pageButton('Next', last));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  else blocks.push(context('That is all of them.'));
  return { text: `${plural(page.total, 'upcoming expiry')} scheduled through me.`, blocks };
}

function pageButton(label: string, offset: number) {
  return {
    type: 'button' as const,
    action_id: `${ACTIONS.listPage}_${label.toLowerCase()}`,
    text: { type: 'plain_text' as const, text: label },
    value: String(offset),
  };
}
