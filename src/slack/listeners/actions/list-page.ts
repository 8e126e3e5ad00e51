import { knownListMessage, PAGE_SIZE } from '../../blocks/known-list.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import type { Router } from '../../router.js';

/** Previous / Next under `/expire list`. */
export function registerListPage(router: Router, deps: ListenerDeps): void {
  router.action({ prefix: `${ACTIONS.listPage}_` }, async ({ ack, action, respond }) => {
    await ack();
    const value = 'value' in action ? action.value : undefined;
    const offset = Math.max(0, Number.parseInt(value ?? '0', 10) || 0);
    const page = await deps.mirror.upcoming(deps.now().getTime(), { limit: PAGE_SIZE, offset });
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      ...knownListMessage({ ...page, offset }),
    });
  });
}
