import type { App } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { helpMessage } from '../../blocks/help.js';
import { COMMAND } from '../../ids.js';

export function register(app: App, _deps: Deps): void {
  app.command(COMMAND, async ({ ack, command }) => {
    const text = command.text.trim();
    if (text === '' || /^help$/i.test(text)) {
      await ack({ response_type: 'ephemeral', ...helpMessage() });
      return;
    }
    await ack({ response_type: 'ephemeral', ...helpMessage(`I didn't understand \`${COMMAND} ${text}\`.`) });
  });
}
