import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpMessage } from '../../blocks/help.js';
import type { ListenerDeps } from '../../context.js';
import { parseCommand } from '../../parse/command.js';
import { runChange } from './change.js';
import { runList } from './list.js';
import { runListKnown } from './list-known.js';
import { openExpireForm } from './open-form.js';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/expire`: parse, ack at once (with the answer when it needs no I/O), then hand on by verb. */
export function expireCommand(deps: ListenerDeps) {
  return async (args: CommandArgs): Promise<void> => {
    const parsed = parseCommand(args.command.text);
    if (!parsed.ok) {
      await args.ack({ response_type: 'ephemeral', ...helpMessage(parsed.problem) });
      return;
    }
    const c = parsed.command;
    switch (c.verb) {
      case 'help':
        await args.ack({ response_type: 'ephemeral', ...helpMessage() });
        return;
      case 'modal':
        return openExpireForm(args, deps);
      case 'list-known':
        return runListKnown(args, deps);
      case 'list':
        return runList(c, args, deps);
      default:
        return runChange(c, args, deps);
    }
  };
}
