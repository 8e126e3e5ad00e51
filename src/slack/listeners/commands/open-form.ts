import { expireModal } from '../../blocks/modal.js';
import type { ListenerDeps } from '../../context.js';
import { initialModel } from '../../modal-model.js';
import { openForm } from '../../reply.js';
import type { CommandArgs } from './args.js';

/** `/expire` alone: the form. Nothing slow before views.open: the trigger lives three seconds. */
export async function openExpireForm({ ack, command, client, respond }: CommandArgs, deps: ListenerDeps) {
  await ack();
  await openForm(client, command.trigger_id, expireModal(initialModel(deps, command.channel_id)), (text) =>
    respond({ response_type: 'ephemeral', text }),
  );
}
