import type { App } from '@slack/bolt';
import { SOMETHING_WENT_WRONG } from '../announce.js';
import type { ListenerDeps } from '../context.js';
import { Router } from '../router.js';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import * as events from './events/index.js';
import { registerJobs } from './jobs.js';
import * as options from './options/index.js';
import * as views from './views/index.js';

/** Every listener of the app, each kind in its own folder. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerJobs(deps);
  commands.register(app, deps);
  events.register(app, deps);
  const router = new Router(app, async ({ respond }, error) => {
    deps.logger.error({ err: error }, 'a button could not be handled');
    await respond({ response_type: 'ephemeral', replace_original: false, text: SOMETHING_WENT_WRONG });
  });
  actions.register(router, deps);
  views.register(router, deps);
  options.register(router, deps);
}
