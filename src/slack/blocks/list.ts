import type { LdApproval } from '../../domain/ld-approval.js';
import { targetLabel } from '../../domain/targets.js';
import { formatUtc, slackDate } from '../../domain/when-format.js';
import type { ListResult } from '../../services/list.js';
import { ldWaitingBlocks } from './ld-approval.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { context, LIMITS, packLines, plural, section } from './text.js';

/** What LaunchDarkly has scheduled on one flag or segment, soonest first. */
export function scheduledListMessage(result: ListResult, waiting: readonly LdApproval[] = []): Message {
  const ref = result.resource;
  const asked = ldWaitingBlocks(waiting, 10);
  const where = context(`Project \`${ref.projectKey}\` · environment \`${ref.environmentKey}\``);
  if (!result.ok) {
    return {
      text: escapeMrkdwn(result.error),
      blocks: [section(`:x: ${escapeMrkdwn(result.error)}`), where],
    };
  }
  if (result.items.length === 0) {
    const text = `Nothing is scheduled to expire on ${ref.kind} ${ref.key}.`;
    return {
      text,
      blocks: [section(`Nothing is scheduled to expire on ${ref.kind} *${ref.key}*.`), where, ...asked],
    };
  }
  const lines = result.items.map((item) => {
    const detail = item.variation ?? item.targetType;
    return `• ${slackDate(item.expiresAt)} (${formatUtc(item.expiresAt)}) — \`${targetLabel(item.target)}\`${detail ? ` (${escapeMrkdwn(detail)})` : ''}`;
  });
  const header = section(
    `*${plural(result.items.length, 'target')} scheduled to expire on ${ref.kind} ${ref.key}*, soonest first:`,
  );
  return {
    text: `${plural(result.items.length, 'target')} scheduled to expire on ${ref.kind} ${ref.key}.`,
    blocks: [
      header,
      where,
      ...packLines(
        lines,
        LIMITS.messageBlocks - 2 - asked.length,
        (hidden) => `…and ${plural(hidden, 'more target')}.`,
      ),
      ...asked,
    ],
  };
}
