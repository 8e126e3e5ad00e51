import { APPROVAL_LIST_LIMIT, approvalListMessage } from '../../blocks/approval.js';
import type { ListenerDeps } from '../../context.js';
import type { CommandArgs } from './args.js';

/** `/expire approvals`: the requests waiting for approval in this channel, to the asker only. */
export async function runApprovals(
  { ack, command, respond }: CommandArgs,
  deps: ListenerDeps,
): Promise<void> {
  await ack();
  const pending = await deps.approvals.pending({ channelId: command.channel_id }, 10 * APPROVAL_LIST_LIMIT);
  await respond({ response_type: 'ephemeral', ...approvalListMessage(pending) });
}
