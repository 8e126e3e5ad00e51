import { expireModal } from '../../blocks/modal.js';
import type { ListenerDeps } from '../../context.js';
import { MODAL } from '../../ids.js';
import { modelFromState } from '../../modal-model.js';
import { readModalState } from '../../parse/modal.js';
import { slackErrorCode, updateView } from '../../reply.js';
import type { ActionArgs, Router } from '../../router.js';

/** Changes inside the `/expire` modal re-render it: fields for the action, variations, the time preview. */
export function registerModal(router: Router, deps: ListenerDeps): void {
  const rerender = async ({ ack, body, client }: ActionArgs) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const state = readModalState(view.state?.values);
    const model = await modelFromState(state, view.private_metadata, { deps, client, userId: body.user.id });
    try {
      // The hash makes Slack refuse this update if a newer one (or the person's typing) won.
      await updateView(client, { view_id: view.id, hash: view.hash, view: expireModal(model) });
    } catch (error) {
      if (slackErrorCode(error) !== 'hash_conflict') throw error;
    }
  };
  for (const id of [
    MODAL.actions.action,
    MODAL.actions.kind,
    MODAL.actions.flag,
    MODAL.actions.segment,
    MODAL.actions.when,
  ]) {
    router.action(id, rerender);
  }
}
