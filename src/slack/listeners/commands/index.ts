import type { App } from '@slack/bolt';
import { helpMessage } from '../../blocks/help.js';
import { knownListMessage, PAGE_SIZE } from '../../blocks/known-list.js';
import { expireModal } from '../../blocks/modal.js';
import type { ListenerDeps } from '../../context.js';
import { COMMAND } from '../../ids.js';
import { initialModel } from '../../modal-model.js';
import { parseCommand } from '../../parse/command.js';
import { openForm } from '../../reply.js';
import { runChange } from './change.js';
import { runList } from './list.js';

/** `/expire`: parse, ack at once (with the answer when it needs no I/O), then do the work. */
export function register(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, async ({ ack, command, client, respond }) => {
    const parsed = parseCommand(command.text);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', ...helpMessage(parsed.problem) });
      return;
    }
    const c = parsed.command;
    switch (c.verb) {
      case 'help':
        await ack({ response_type: 'ephemeral', ...helpMessage() });
        return;
      case 'modal':
        // Nothing slow before this: the trigger lives three seconds.
        await ack();
        await openForm(
          client,
          command.trigger_id,
          expireModal(initialModel(deps, command.channel_id)),
          (text) => respond({ response_type: 'ephemeral', text }),
        );
        return;
      case 'list-known': {
        await ack();
        const page = await deps.store.upcoming(deps.now().getTime(), { limit: PAGE_SIZE, offset: 0 });
        await respond({ response_type: 'ephemeral', ...knownListMessage({ ...page, offset: 0 }) });
        return;
      }
      case 'list':
        await ack();
        await runList(c, { respond, deps });
        return;
      default:
        await runChange(c, ack, { command, client, respond, deps });
    }
  });
}
