import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import type { Router } from '../../router.js';
import { knownListPage } from '../commands/list-known.js';

/** Previous / Next under `/expire list`. */
export function registerListPage(router: Router, deps: ListenerDeps): void {
  router.action({ prefix: `${ACTIONS.listPage}_` }, async ({ ack, action, body, respond }) => {
    await ack();
    const value = 'value' in action ? action.value : undefined;
    const offset = Math.max(0, Number.parseInt(value ?? '0', 10) || 0);
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      ...(await knownListPage(deps, body.user.id, offset)),
    });
  });
}
