import { z } from 'zod';
import { noticeView, SAFETY_MESSAGES } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { VIEWS } from '../../ids.js';
import { parseJson } from '../../parse/json.js';
import type { Router } from '../../router.js';
import { claimConfirmation, performConfirmed } from '../actions/confirm.js';

const metadata = z.object({ id: z.string().uuid() });

/** The modal's confirmation step for a protected environment: Confirm closes every view and applies. */
export function registerConfirm(router: Router, deps: ListenerDeps): void {
  router.view(VIEWS.confirm, async ({ ack, view, body, client }) => {
    const meta = parseJson(metadata, view.private_metadata);
    const claim = meta ? await claimConfirmation(meta.id, body.user.id, 'confirmed', deps) : undefined;
    if (!claim?.ok) {
      await ack({ response_action: 'update', view: noticeView(claim?.message ?? SAFETY_MESSAGES.expired) });
      return;
    }
    await ack({ response_action: 'clear' });
    const userId = body.user.id;
    performConfirmed(claim, {
      client,
      userId,
      fallback: (message) => client.chat.postMessage({ channel: userId, ...message }),
      deps,
    });
  });
}
