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
  const result = await listScheduled(commandResource(c, deps.defaults), deps.ld);
  await respond({ response_type: 'ephemeral', ...scheduledListMessage(result) });
}
