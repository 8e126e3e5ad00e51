import type { Requester } from './change-request.js';

const MAX_COMMAND = 400;

/**
 * The `comment` LaunchDarkly keeps in its audit log for every change the bot makes:
 * `via Slack (acme) by @alice (U123) in #release: /expire flag new-checkout sandy in 2 weeks`.
 */
export function auditComment(asker: Omit<Requester, 'channelId'>, command: string): string {
  const workspace = asker.teamDomain ? ` (${asker.teamDomain})` : '';
  const channel =
    asker.channelName && asker.channelName !== 'directmessage' ? ` in #${asker.channelName}` : '';
  const text = command.replace(/\s+/g, ' ').trim();
  const clipped = text.length > MAX_COMMAND ? `${text.slice(0, MAX_COMMAND - 1)}…` : text;
  return `via Slack${workspace} by @${asker.userName} (${asker.userId})${channel}: ${clipped}`;
}

/** The longest comment the bot sends for changes sent together. */
const MAX_TOGETHER = 2_000;

/**
 * One comment for several people's changes that went to LaunchDarkly in one request (a queue of
 * changes to one flag): each asker's own comment, as many as fit, then how many more there were.
 */
export function commentForAll(comments: readonly string[]): string {
  const distinct = [...new Set(comments)];
  if (distinct.length === 1) return distinct[0]!;
  let text = `${comments.length} changes sent together`;
  for (const [i, comment] of distinct.entries()) {
    const more = ` … and ${distinct.length - i} more`;
    if (text.length + comment.length + 3 + more.length > MAX_TOGETHER) return text + more;
    text += ` | ${comment}`;
  }
  return text;
}
