import type { BlockAction, ButtonAction } from '@slack/bolt';
import { privateAnswer } from '../../announce.js';
import { SAFETY_MESSAGES } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import type { Router } from '../../router.js';

/** Cancel under the ephemeral question for a protected environment: nothing is sent. */
export function registerCancelConfirm(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<ButtonAction>>(ACTIONS.cancelConfirm, async ({ ack, action, body, respond }) => {
    await ack();
    const claim = await deps.changes.claim(action.value ?? '', body.user.id, 'cancelled');
    const cancelled = 'who' in claim;
    await respond({
      response_type: 'ephemeral',
      replace_original: cancelled,
      text: cancelled ? SAFETY_MESSAGES.cancelled : privateAnswer(claim)!.text,
    });
  });
}
