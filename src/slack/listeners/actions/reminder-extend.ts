import type { BlockAction, ButtonAction } from '@slack/bolt';
import { extendView } from '../../blocks/reminder.js';
import { loadReminded } from '../../clicks.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import { openForm } from '../../reply.js';
import type { Router } from '../../router.js';

/**
 * Extend on a reminder opens a small form. Nothing slow before views.open (the trigger lives
 * 3 s): its submission checks the policy and is what is done once.
 */
export function registerReminderExtend(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<ButtonAction>>(
    ACTIONS.reminderExtend,
    async ({ ack, action, body, client, respond }) => {
      await ack();
      const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      const expiry = await loadReminded(action.value, deps);
      if (!expiry.ok) {
        await tell(expiry.message);
        return;
      }
      const metadata = JSON.stringify({
        id: expiry.expiry.id,
        at: expiry.expiry.expiresAt,
        channel: body.channel!.id,
        ts: body.message!.ts,
      });
      await openForm(
        client,
        body.trigger_id,
        extendView(expiry.expiry, metadata, deps.now().getTime()),
        tell,
      );
    },
  );
}
