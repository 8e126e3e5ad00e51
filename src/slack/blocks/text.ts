import type { KnownBlock } from '@slack/types';

/** Slack's limits that the builders keep to (shared/reference/slack-platform.md). */
export const LIMITS = { messageBlocks: 50, sectionText: 3_000 } as const;

/** Where watched expiries are left out because Slack could not say which channels the person is in. */
export const WATCHED_UNKNOWN = (again: string) =>
  `:warning: Slack could not say which channels you are in, so expiries of environments your channels watch are not listed. ${again}`;

export function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** A yes-or-no pair of buttons on one value (Confirm / Cancel, Approve / Decline); the yes is primary. */
export function yesNoButtons(
  value: string,
  yes: { actionId: string; text: string },
  no: { actionId: string; text: string },
  blockId?: string,
): KnownBlock {
  return {
    type: 'actions',
    ...(blockId ? { block_id: blockId } : {}),
    elements: [
      {
        type: 'button',
        action_id: yes.actionId,
        text: { type: 'plain_text', text: yes.text },
        style: 'primary',
        value,
      },
      { type: 'button', action_id: no.actionId, text: { type: 'plain_text', text: no.text }, value },
    ],
  };
}

export function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * Lines packed into as few sections as fit 3,000 characters each, at most `maxBlocks` of them;
 * what does not fit is summed up in a last line rather than dropped silently.
 */
export function packLines(
  lines: string[],
  maxBlocks: number,
  more: (hidden: number) => string,
): KnownBlock[] {
  const limit = LIMITS.sectionText - 100;
  const blocks: string[] = [];
  let current = '';
  let shown = 0;
  for (const line of lines) {
    const clipped = line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
    if (current && current.length + 1 + clipped.length > limit) {
      if (blocks.length + 1 >= maxBlocks) break;
      blocks.push(current);
      current = '';
    }
    current = current ? `${current}\n${clipped}` : clipped;
    shown++;
  }
  if (shown < lines.length) current = `${current}\n${more(lines.length - shown)}`;
  if (current) blocks.push(current);
  return blocks.map(section);
}

const NUMBER = new Intl.NumberFormat('en-US');

/** 1,000 → "1,000". */
export function count(n: number): string {
  return NUMBER.format(n);
}

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** How long a list of target labels `codeList` writes out before it counts the rest. */
const CODE_LIST_CHARS = 1_000;

/** Whether `codeList` names every one of `labels` (none counted as "and N more"). */
export const codeListFits = (labels: readonly string[], maxChars = CODE_LIST_CHARS) =>
  labels.reduce((n, label) => n + label.length + 4, 0) <= maxChars;

/**
 * Target labels as code, as many as fit in `maxChars`, then how many more: "`a`, `b` and 3 more".
 * A label may be a 256-character key: ten of them alone can fill a section.
 */
export function codeList(labels: readonly string[], maxChars = CODE_LIST_CHARS): string {
  const shown: string[] = [];
  let length = 0;
  for (const label of labels) {
    const item = `\`${label}\``;
    if (shown.length > 0 && length + item.length + 2 > maxChars) break;
    shown.push(item);
    length += item.length + 2;
  }
  const more = labels.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${count(more)} more` : ''}`;
}

/** A message that is one paragraph of mrkdwn. */
export function textMessage(text: string): { text: string; blocks: KnownBlock[] } {
  return { text, blocks: [section(text)] };
}
