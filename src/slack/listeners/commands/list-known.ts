import { knownListMessage, PAGE_SIZE } from '../../blocks/known-list.js';
import type { ListenerDeps } from '../../context.js';
import type { CommandArgs } from './args.js';

/** `/expire list`: the first page of upcoming expiries the bot knows of, to the asker only. */
export async function runListKnown({ ack, respond }: CommandArgs, deps: ListenerDeps) {
  await ack();
  const page = await deps.mirror.upcoming(deps.now().getTime(), { limit: PAGE_SIZE, offset: 0 });
  await respond({ response_type: 'ephemeral', ...knownListMessage({ ...page, offset: 0 }) });
}
