import type { BlockAction, ButtonAction } from '@slack/bolt';
import { announceChange, answering, privateAnswer, type Surface } from '../../announce.js';
import { SAFETY_MESSAGES } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import type { Router } from '../../router.js';

/** Confirm under the ephemeral question for a protected environment: the held change is applied. */
export function registerConfirm(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<ButtonAction>>(
    ACTIONS.confirm,
    async ({ ack, action, body, client, respond }) => {
      await ack();
      const id = action.value ?? '';
      const surface: Surface = {
        client,
        channel: body.channel?.id ?? body.user.id,
        userId: body.user.id,
        tell: (message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }),
        fallback: (message) => respond({ response_type: 'in_channel', replace_original: false, ...message }),
      };
      deps.work.enqueue('confirmed change', () =>
        answering(surface, deps.logger, async () => {
          // The confirmation is used once; a change that failed gives it back, so Confirm can be clicked again.
          const claim = await deps.changes.claim(id, body.user.id, 'confirmed');
          if (!('who' in claim)) {
            await surface.tell(privateAnswer(claim)!);
            return true;
          }
          await respond({
            response_type: 'ephemeral',
            replace_original: true,
            text: SAFETY_MESSAGES.confirmed,
          });
          const settled = await announceChange(
            claim.request,
            (onProgress) => deps.changes.apply(claim, onProgress),
            { ...surface, channel: claim.who.channelId },
            deps,
          ).catch(async (error: unknown) => {
            await deps.changes.reopen(id);
            throw error;
          });
          if (!settled) await deps.changes.reopen(id);
          return settled;
        }),
      );
    },
  );
}
