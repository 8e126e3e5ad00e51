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
