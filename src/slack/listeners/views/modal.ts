import { confirmView } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { holdForConfirmation } from '../../guard.js';
import { MODAL } from '../../ids.js';
import { checkSubmission, MODAL_ERRORS } from '../../modal-submission.js';
import { parseJson } from '../../parse/json.js';
import { modalMetadata, readModalState } from '../../parse/modal.js';
import { performChange } from '../../perform-change.js';
import type { Router } from '../../router.js';

/** Submission of the `/expire` modal: problems inline on their fields, then the same work as the command. */
export function registerModal(router: Router, deps: ListenerDeps): void {
  router.view(MODAL.callbackId, async ({ ack, view, body, client }) => {
    const meta = parseJson(modalMetadata, view.private_metadata);
    if (!meta) {
      await ack({ response_action: 'errors', errors: { [MODAL.blocks.targets]: MODAL_ERRORS.stale } });
      return;
    }
    const asker = { userId: body.user.id, userName: body.user.name, teamDomain: body.team?.domain };
    const checked = await checkSubmission(readModalState(view.state.values), { client, asker, deps });
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    if (checked.protected) {
      const id = await holdForConfirmation(checked.request, {
        userId: body.user.id,
        channel: meta.channel,
        deps,
      });
      await ack({ response_action: 'push', view: confirmView(id, checked.request) });
      return;
    }
    await ack();
    // The same submission delivered twice is applied once.
    if (!(await deps.safetyStore.once(`view:${view.id}:${view.hash}`, deps.now().getTime()))) return;
    const userId = body.user.id;
    deps.work.enqueue('modal change', () =>
      performChange(checked.request, {
        client,
        channel: meta.channel,
        userId,
        // No response_url comes with a modal: where the channel refuses the bot, tell the person directly.
        fallback: (message) => client.chat.postMessage({ channel: userId, ...message }),
        deps,
      }),
    );
  });
}
