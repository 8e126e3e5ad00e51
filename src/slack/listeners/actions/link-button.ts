import { ACTIONS } from '../../ids.js';
import type { Router } from '../../router.js';

/**
 * The Link button opens LaunchDarkly's page in the browser; Slack also tells the app of the click,
 * which is acknowledged and nothing more (the callback links, not the click).
 */
export function registerLinkButton(router: Router): void {
  router.action(ACTIONS.linkOpen, async ({ ack }) => {
    await ack();
  });
}
