import { parseJson } from '../../../domain/json.js';
import { once } from '../../../services/once.js';
import { announceChange, answering, type Surface } from '../../announce.js';
import { confirmView } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { MODAL } from '../../ids.js';
import { checkSubmission, MODAL_ERRORS } from '../../modal-submission.js';
import { modalMetadata, readModalState } from '../../parse/modal.js';
import type { Router } from '../../router.js';

/** Submission of the `/expire` form: problems inline on their fields, then the same change as the command. */
export function registerModal(router: Router, deps: ListenerDeps): void {
  router.view(MODAL.callbackId, async ({ ack, view, body, client }) => {
    const meta = parseJson(modalMetadata, view.private_metadata);
    if (!meta) {
      await ack({ response_action: 'errors', errors: { [MODAL.blocks.targets]: MODAL_ERRORS.stale } });
      return;
    }
    const who = {
      userId: body.user.id,
      userName: body.user.name,
      teamDomain: body.team?.domain,
      channelId: meta.channel,
    };
    const checked = await checkSubmission(readModalState(view.state.values), { client, who, deps });
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    if (checked.confirmationId) {
      await ack({ response_action: 'push', view: confirmView(checked.confirmationId, checked.request) });
      return;
    }
    await ack();
    // No response_url comes with a form: the person hears privately by DM.
    const dm = (message: { text: string }) => client.chat.postMessage({ channel: who.userId, ...message });
    const surface: Surface = { client, channel: meta.channel, userId: who.userId, tell: dm, fallback: dm };
    const ask = { who, request: checked.request };
    deps.work.enqueue('form change', () =>
      answering(surface, deps.logger, async () => {
        // The same submission delivered twice is applied once.
        await once(deps.safetyStore, `view:${view.id}:${view.hash}`, deps.now().getTime(), () =>
          announceChange(ask.request, (onProgress) => deps.changes.apply(ask, onProgress), surface, deps),
        );
        return true;
      }),
    );
  });
}
