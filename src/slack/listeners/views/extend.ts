import { parseWhen } from '../../../domain/when.js';
import { extendExpiry, resourceOf } from '../../../services/reminder-actions.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { EXTENDED, reminderDoneMessage } from '../../blocks/reminder.js';
import type { ListenerDeps } from '../../context.js';
import { authorize } from '../../guard.js';
import { BLOCKS, INPUTS, VIEWS } from '../../ids.js';
import { parseJson } from '../../parse/json.js';
import { extendMetadata } from '../../parse/reminder.js';
import type { Router } from '../../router.js';

export const STALE_FORM =
  'This form is out of date: the expiry changed meanwhile. Close it and use /expire list.';

/** The Extend modal: bad times are shown on the field; a good one moves the expiry after the ack. */
export function registerExtend(router: Router, deps: ListenerDeps): void {
  router.view(VIEWS.extend, async ({ ack, view, body, client }) => {
    const meta = parseJson(extendMetadata, view.private_metadata);
    const expiry = meta && (await deps.store.get(meta.id));
    if (!meta || !expiry || expiry.expires_at !== meta.at) {
      await ack({ response_action: 'errors', errors: { [BLOCKS.extendWhen]: STALE_FORM } });
      return;
    }
    const text = view.state.values[BLOCKS.extendWhen]?.[INPUTS.extendWhen]?.value ?? '';
    const timeZone = await deps.timeZones.of(client, body.user.id);
    const when = parseWhen(text, { now: deps.now(), timeZone });
    if (!when.ok) {
      await ack({ response_action: 'errors', errors: { [BLOCKS.extendWhen]: when.reason.slice(0, 2000) } });
      return;
    }
    const allowed = await authorize(resourceOf(expiry), { client, userId: body.user.id, deps });
    if (!allowed.ok) {
      await ack({ response_action: 'errors', errors: { [BLOCKS.extendWhen]: allowed.message } });
      return;
    }
    await ack();
    if (!(await deps.safetyStore.once(`view:${view.id}:${view.hash}`, deps.now().getTime()))) return;
    const asker = { userId: body.user.id, userName: body.user.name, teamDomain: body.team?.domain };
    const outcome = await extendExpiry(expiry, when.ms, {
      ld: deps.ld,
      store: deps.store,
      asker,
      now: deps.now().getTime(),
    });
    if (!outcome.ok) {
      await client.chat.postEphemeral({
        channel: meta.channel,
        user: body.user.id,
        text: `:x: Could not extend: ${escapeMrkdwn(outcome.message)}`,
      });
      return;
    }
    await client.chat.update({
      channel: meta.channel,
      ts: meta.ts,
      ...reminderDoneMessage(expiry, EXTENDED(when.ms), body.user.id),
    });
  });
}
