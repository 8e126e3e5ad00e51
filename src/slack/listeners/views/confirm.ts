import { z } from 'zod';
import { parseJson } from '../../../domain/json.js';
import { announceChange, answering, privateAnswer, type Surface } from '../../announce.js';
import { noticeView, SAFETY_MESSAGES } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { VIEWS } from '../../ids.js';
import type { Router } from '../../router.js';

const metadata = z.object({ id: z.string().uuid() });

/** The form's confirmation step for a protected environment: Confirm closes every view and applies. */
export function registerConfirm(router: Router, deps: ListenerDeps): void {
  router.view(VIEWS.confirm, async ({ ack, view, body, client }) => {
    const meta = parseJson(metadata, view.private_metadata);
    const claim = meta ? await deps.changes.claim(meta.id, body.user.id, 'confirmed') : undefined;
    if (!claim || !('who' in claim)) {
      const notice = (claim && privateAnswer(claim)?.text) ?? SAFETY_MESSAGES.expired;
      await ack({ response_action: 'update', view: noticeView(notice) });
      return;
    }
    await ack({ response_action: 'clear' });
    const userId = body.user.id;
    // No response_url comes with a view: the person hears privately by DM.
    const dm = (message: { text: string }) => client.chat.postMessage({ channel: userId, ...message });
    const surface: Surface = { client, channel: claim.who.channelId, userId, tell: dm, fallback: dm };
    deps.work.enqueue('confirmed change', () =>
      answering(surface, deps.logger, async () => {
        const settled = await announceChange(
          claim.request,
          (onProgress) => deps.changes.apply(claim, onProgress),
          surface,
          deps,
        );
        if (!settled) await deps.changes.reopen(meta!.id);
        return settled;
      }),
    );
  });
}
