import type { KnownBlock } from '@slack/types';
import { lookAlikes } from '../../domain/look-alikes.js';
import type { Target } from '../../domain/targets.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { LIMITS, plural, section } from './text.js';

export const LOOK_ALIKE_HEADING =
  ':eyes: *Look-alike keys:* to LaunchDarkly each is a key of its own, not the one it looks like.';
export const LOOK_ALIKE_MORE = (hidden: number) => `…and ${plural(hidden, 'other look-alike key')}.`;

/** Look-alike keys named in one message, at most; the rest are counted. */
const SHOWN = 5;

/**
 * The targets whose key (or context kind) looks like another, with the odd characters spelled
 * out (`domain/look-alikes.ts`), for the confirmation and the result; no look-alike, no block.
 */
export function lookAlikeBlocks(targets: readonly Target[]): KnownBlock[] {
  const notes = lookAlikes(targets);
  if (notes.length === 0) return [];
  const lines = [LOOK_ALIKE_HEADING];
  let length = LOOK_ALIKE_HEADING.length;
  // Whole lines only, within a section's limit with room for the count: a key cut short could
  // pass for yet another key.
  for (const note of notes.slice(0, SHOWN)) {
    const line = `• ${escapeMrkdwn(note)}`;
    if (length + line.length + 1 > LIMITS.sectionText - 100) break;
    lines.push(line);
    length += line.length + 1;
  }
  const hidden = notes.length - (lines.length - 1);
  if (hidden > 0) lines.push(LOOK_ALIKE_MORE(hidden));
  return [section(lines.join('\n'))];
}
