import type { RespondFn, SlashCommand } from '@slack/bolt';
import { listScheduled } from '../../../services/list.js';
import { scheduledListMessage } from '../../blocks/list.js';
import type { ListenerDeps } from '../../context.js';
import type { Command } from '../../parse/command.js';

/** `/expire list flag|segment <key>`: answered to the asker only; reading changes nothing. */
export async function runList(
  c: Extract<Command, { verb: 'list' }>,
  { respond, deps }: { command: SlashCommand; respond: RespondFn; deps: ListenerDeps },
): Promise<void> {
  const resource = {
    kind: c.resource,
    projectKey: c.options.project ?? deps.defaults.project,
    key: c.key,
    environmentKey: c.options.env ?? deps.defaults.environment,
  };
  const result = await listScheduled(resource, deps.ld);
  await respond({ response_type: 'ephemeral', ...scheduledListMessage(result) });
}
