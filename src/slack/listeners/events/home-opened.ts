import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../context.js';
import { publishHome } from '../../home.js';

/**
 * `app_home_opened` on the Home tab: publish that person's view. Bolt acknowledges events itself
 * before listeners run. Nobody asked in words, so a failure can only be logged: the tab keeps its
 * last view, and the next opening tries again.
 */
export function registerHomeOpened(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(deps, event.user);
    } catch (error) {
      deps.logger.warn({ err: error, user: event.user }, 'could not publish the Home tab');
    }
  });
}
