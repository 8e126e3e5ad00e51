import { listScheduled } from '../../../services/list.js';
import { scheduledListMessage } from '../../blocks/list.js';
import type { ListenerDeps } from '../../context.js';
import { type Command, commandResource } from '../../parse/command.js';
import type { CommandArgs } from './args.js';

/** `/expire list flag|segment <key>`: answered to the asker only; reading changes nothing. */
export async function runList(
  c: Extract<Command, { verb: 'list' }>,
  { ack, respond }: CommandArgs,
  deps: ListenerDeps,
): Promise<void> {
  await ack();
  const resource = commandResource(c, deps.defaults);
  const [result, waiting] = await Promise.all([
    listScheduled(resource, deps.ld),
    deps.ldApprovals.open({ resource }),
  ]);
  await respond({ response_type: 'ephemeral', ...scheduledListMessage(result, waiting) });
}
