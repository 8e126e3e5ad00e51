import type { App } from '@slack/bolt';
import { helpMessage } from '../../blocks/help.js';
import type { ListenerDeps } from '../../context.js';
import { COMMAND } from '../../ids.js';
import { parseCommand } from '../../parse/command.js';
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
      case 'modal':
        await ack({ response_type: 'ephemeral', ...helpMessage() });
        return;
      case 'list-known':
        await ack({
          response_type: 'ephemeral',
          text: 'I do not keep a record of expiries yet. Use /expire list flag <key> or /expire list segment <key> to see what LaunchDarkly has scheduled.',
        });
        return;
      case 'list':
        await ack();
        await runList(c, { command, respond, deps });
        return;
      default:
        await runChange(c, { ack, command, client, respond, deps });
    }
  });
}
