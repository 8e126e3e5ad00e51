import { watchesOf } from '../../../services/watch.js';
import { watchingMessage } from '../../blocks/watch.js';
import type { ListenerDeps } from '../../context.js';
import type { CommandArgs } from './args.js';

/** `/expire watching`: open to everyone, answered to the asker only; reading changes nothing. */
export async function runWatching({ ack, command, respond }: CommandArgs, deps: ListenerDeps): Promise<void> {
  await ack();
  const now = deps.now().getTime();
  await respond({
    response_type: 'ephemeral',
    ...watchingMessage(await watchesOf(command.channel_id, deps, now), now),
  });
}
