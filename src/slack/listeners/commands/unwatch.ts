import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { textMessage } from '../../blocks/text.js';
import { WATCH_MESSAGES } from '../../blocks/watch.js';
import type { ListenerDeps } from '../../context.js';
import type { WatchCommand } from '../../parse/watch.js';
import type { CommandArgs } from './args.js';
import { allowedWatchWork, submitWatchJob } from './watch.js';

export const runUnwatch = (
  c: Extract<WatchCommand, { verb: 'unwatch' }>,
  args: CommandArgs,
  deps: ListenerDeps,
) => submitWatchJob(JOB_KINDS.unwatch, c, args, deps);

/** The work behind `/expire unwatch`: with change rights on the environment, the channel stops following it. */
export function unwatchJob(deps: ListenerDeps): JobKind {
  return {
    async run(job) {
      return allowedWatchWork(job, deps, async (p, surface, environment) => {
        if (!(await deps.watches.remove(p.channel_id, environment))) {
          await surface.tell(textMessage(WATCH_MESSAGES.notWatching(environment)));
          return 'done';
        }
        deps.logger.info(
          { event: 'unwatch', user: p.user_id, channel: p.channel_id, ...environment },
          'watch stopped',
        );
        // For the channel: it no longer hears of this environment.
        await surface.fallback(WATCH_MESSAGES.stopped(environment, p.user_id));
        return 'done';
      });
    },
  };
}
