import { knownListMessage, PAGE_SIZE } from '../../blocks/known-list.js';
import type { Message } from '../../blocks/result.js';
import type { ListenerDeps } from '../../context.js';
import { watchedVisibleTo } from '../../member-channels.js';
import type { CommandArgs } from './args.js';

/** `/expire list`: the first page of upcoming expiries the bot knows of, to the asker only. */
export async function runListKnown({ ack, command, respond }: CommandArgs, deps: ListenerDeps) {
  await ack();
  await respond({ response_type: 'ephemeral', ...(await knownListPage(deps, command.user_id, 0)) });
}

/**
 * One page of `/expire list` for `userId`: what was scheduled through the bot, and the expiries of
 * watched environments only where a channel they are in watches (the Home tab's rule, `watchedVisibleTo`).
 */
export async function knownListPage(deps: ListenerDeps, userId: string, offset: number): Promise<Message> {
  const watched = await watchedVisibleTo(deps, userId);
  const page = await deps.mirror.upcoming(deps.now().getTime(), watched.channels, {
    limit: PAGE_SIZE,
    offset,
  });
  return knownListMessage({ ...page, offset, watchedUnknown: watched.unknown });
}
