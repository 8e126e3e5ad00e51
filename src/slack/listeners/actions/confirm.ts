import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../../../services/change.js';
import { changeRequestSchema } from '../../../services/change-schema.js';
import type { Message } from '../../blocks/result.js';
import { SAFETY_MESSAGES } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import { performChange } from '../../perform-change.js';
import type { Router } from '../../router.js';

type Claim = { ok: true; request: ChangeRequest; channel: string } | { ok: false; message: string };

/**
 * Uses a pending confirmation for the person who clicked: only its asker, only once, only in time.
 */
export async function claimConfirmation(
  id: string,
  userId: string,
  outcome: 'confirmed' | 'cancelled',
  deps: ListenerDeps,
): Promise<Claim> {
  const pending = await deps.safetyStore.getConfirmation(id);
  if (!pending) return { ok: false, message: SAFETY_MESSAGES.expired };
  if (pending.user_id !== userId) return { ok: false, message: SAFETY_MESSAGES.notYours(pending.user_id) };
  if (!(await deps.safetyStore.useConfirmation(id, deps.now().getTime(), outcome))) {
    return { ok: false, message: SAFETY_MESSAGES.expired };
  }
  const request = changeRequestSchema.safeParse(JSON.parse(pending.request));
  if (!request.success) return { ok: false, message: SAFETY_MESSAGES.expired };
  return { ok: true, request: request.data, channel: pending.channel_id };
}

/** Queues a confirmed change, to take its turn like every change behind an ack. */
export function performConfirmed(
  claim: Extract<Claim, { ok: true }>,
  ctx: { client: WebClient; userId: string; fallback: (m: Message) => Promise<unknown>; deps: ListenerDeps },
): void {
  ctx.deps.work.enqueue('confirmed change', () =>
    performChange(claim.request, {
      client: ctx.client,
      channel: claim.channel,
      userId: ctx.userId,
      fallback: ctx.fallback,
      deps: ctx.deps,
    }),
  );
}

/** Confirm / Cancel under the ephemeral question for a protected environment. */
export function register(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<ButtonAction>>(
    ACTIONS.confirm,
    async ({ ack, action, body, client, respond }) => {
      await ack();
      const claim = await claimConfirmation(action.value ?? '', body.user.id, 'confirmed', deps);
      if (!claim.ok) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: claim.message });
        return;
      }
      await respond({ response_type: 'ephemeral', replace_original: true, text: SAFETY_MESSAGES.confirmed });
      performConfirmed(claim, {
        client,
        userId: body.user.id,
        fallback: (message) => respond({ response_type: 'in_channel', replace_original: false, ...message }),
        deps,
      });
    },
  );

  router.action<BlockAction<ButtonAction>>(ACTIONS.cancelConfirm, async ({ ack, action, body, respond }) => {
    await ack();
    const claim = await claimConfirmation(action.value ?? '', body.user.id, 'cancelled', deps);
    await respond({
      response_type: 'ephemeral',
      replace_original: claim.ok,
      text: claim.ok ? SAFETY_MESSAGES.cancelled : claim.message,
    });
  });
}
