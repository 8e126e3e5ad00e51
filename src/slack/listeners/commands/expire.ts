import { SOMETHING_WENT_WRONG } from '../../announce.js';
import { helpMessage } from '../../blocks/help.js';
import type { ListenerDeps } from '../../context.js';
import { parseCommand } from '../../parse/command.js';
import { runApprovals } from './approvals.js';
import type { CommandArgs } from './args.js';
import { runChange } from './change.js';
import { runLink, runUnlink, runWhoami } from './link.js';
import { runList } from './list.js';
import { runListKnown } from './list-known.js';
import { openExpireForm } from './open-form.js';
import { runUnwatch } from './unwatch.js';
import { runWatch } from './watch.js';
import { runWatching } from './watching.js';

/**
 * `/expire`: parse, ack at once (with the answer when it needs no I/O), then hand on by verb.
 * Whatever fails unexpectedly (the store, say) is told to the person, not only logged.
 */
export function expireCommand(deps: ListenerDeps) {
  return async (args: CommandArgs): Promise<void> => {
    let acked = false;
    const ack = ((response?: Parameters<CommandArgs['ack']>[0]) => {
      acked = true;
      return args.ack(response);
    }) as CommandArgs['ack'];
    try {
      await route({ ...args, ack }, deps);
    } catch (error) {
      deps.logger.error({ err: error }, 'the command could not be handled');
      const answer = { response_type: 'ephemeral' as const, text: SOMETHING_WENT_WRONG };
      await (acked ? args.respond(answer) : args.ack(answer));
    }
  };
}

async function route(args: CommandArgs, deps: ListenerDeps): Promise<void> {
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
    case 'approvals':
      return runApprovals(args, deps);
    case 'link':
      return runLink(args, deps);
    case 'unlink':
      return runUnlink(args, deps);
    case 'whoami':
      return runWhoami(args, deps);
    case 'list':
      return runList(c, args, deps);
    case 'watch':
      return runWatch(c, args, deps);
    case 'unwatch':
      return runUnwatch(c, args, deps);
    case 'watching':
      return runWatching(args, deps);
    default:
      return runChange(c, args, deps);
  }
}
