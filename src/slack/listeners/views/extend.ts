import { parseJson } from '../../../domain/json.js';
import { parseWhen } from '../../../domain/when.js';
import { once } from '../../../services/once.js';
import { answering } from '../../announce.js';
import type { ListenerDeps } from '../../context.js';
import { BLOCKS, INPUTS, VIEWS } from '../../ids.js';
import { extendMetadata } from '../../parse/reminder.js';
import { changeFromReminder } from '../../reminder-change.js';
import type { Router } from '../../router.js';

export const STALE_FORM =
  'This form is out of date: the expiry changed meanwhile. Close it and use /expire list.';

/** The Extend form of a reminder: bad times are shown on the field; a good one moves the expiry after the ack. */
export function registerExtend(router: Router, deps: ListenerDeps): void {
  router.view(VIEWS.extend, async ({ ack, view, body, client }) => {
    const meta = parseJson(extendMetadata, view.private_metadata);
    const expiry = meta && (await deps.store.get(meta.id));
    if (!meta || !expiry || expiry.expiresAt !== meta.at) {
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
    await ack();
    const userId = body.user.id;
    const tell = (message: { text: string }) =>
      client.chat.postEphemeral({ channel: meta.channel, user: userId, ...message });
    deps.work.enqueue('extend', () =>
      answering({ tell }, deps.logger, async () => {
        await once(deps.safetyStore, `view:${view.id}:${view.hash}`, deps.now().getTime(), () =>
          changeFromReminder(
            expiry,
            'update',
            { expiresAt: when.ms },
            {
              who: {
                userId,
                userName: body.user.name,
                teamDomain: body.team?.domain,
                channelId: meta.channel,
              },
              client,
              message: { channel: meta.channel, ts: meta.ts },
              tell,
              deps,
            },
          ),
        );
        return true;
      }),
    );
  });
}
