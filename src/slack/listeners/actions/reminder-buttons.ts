import type { BlockAction, ButtonAction } from '@slack/bolt';
import { once } from '../../../services/once.js';
import { answering } from '../../announce.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import { clicker, loadReminded } from '../../reminded.js';
import { changeFromReminder } from '../../reminder-change.js';
import type { Router } from '../../router.js';

const VERB_OF = { [ACTIONS.reminderCancel]: 'remove', [ACTIONS.reminderRemoveNow]: 'revoke' } as const;

/** Cancel expiry and Remove now on a reminder: done at once, once per click. */
export function registerReminderButtons(router: Router, deps: ListenerDeps): void {
  for (const [actionId, verb] of Object.entries(VERB_OF)) {
    router.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, client, respond }) => {
      await ack();
      const tell = (message: { text: string }) =>
        respond({ response_type: 'ephemeral', replace_original: false, ...message });
      await answering({ tell }, deps.logger, async () => {
        // A double click (or a redelivered click) acts once; a click that failed can be tried again.
        await once(deps.safetyStore, `button:${actionId}:${action.value}`, deps.now().getTime(), async () => {
          const expiry = await loadReminded(action.value, deps);
          if (!expiry.ok) {
            await tell(textMessage(expiry.message));
            return true;
          }
          return changeFromReminder(
            expiry.expiry,
            verb,
            {},
            {
              who: clicker(body),
              client,
              message: { channel: body.channel!.id, ts: body.message!.ts },
              tell,
              deps,
            },
          );
        });
        return true;
      });
    });
  }
}
