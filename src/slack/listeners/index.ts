import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../context.js';
import { Router } from '../router.js';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import * as options from './options/index.js';
import * as views from './views/index.js';

/** Every listener of the app, each kind in its own folder. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  commands.register(app, deps);
  const router = new Router(app);
  actions.register(router, deps);
  views.register(router, deps);
  options.register(router, deps);
}
