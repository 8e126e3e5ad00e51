import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { cancelExpiry, removeNow } from '../../../services/reminder-actions.js';
import { knownListMessage, PAGE_SIZE } from '../../blocks/known-list.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import {
  ALREADY_HANDLED,
  CANCELLED,
  extendView,
  REMOVED_NOW,
  reminderDoneMessage,
} from '../../blocks/reminder.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import { parseJson, reminderRef } from '../../parse/reminder.js';

type ButtonArgs = Parameters<Parameters<App['action']>[1]>[0] & { body: BlockAction; action: ButtonAction };

/** Reminder buttons (extend, cancel expiry, remove now) and paging of `/expire list`. */
export function register(app: App, deps: ListenerDeps): void {
  const load = async ({ action, respond }: ButtonArgs) => {
    const ref = parseJson(reminderRef, action.value);
    const expiry = ref && (await deps.store.get(ref.id));
    if (!expiry || expiry.expires_at !== ref.at) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: ALREADY_HANDLED });
      return undefined;
    }
    return expiry;
  };
  const asker = (body: BlockAction) => ({
    userId: body.user.id,
    userName: body.user.username ?? body.user.name ?? body.user.id,
    teamDomain: body.team?.domain,
    channelName: body.channel?.name,
  });

  for (const [actionId, run, done] of [
    [ACTIONS.reminderCancel, cancelExpiry, CANCELLED],
    [ACTIONS.reminderRemoveNow, removeNow, REMOVED_NOW],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async (args) => {
      await args.ack();
      const expiry = await load(args as ButtonArgs);
      if (!expiry) return;
      const { body, client, respond } = args;
      const outcome = await run(expiry, {
        ld: deps.ld,
        store: deps.store,
        asker: asker(body),
        now: deps.now().getTime(),
      });
      if (!outcome.ok) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: `:x: ${escapeMrkdwn(outcome.message)}`,
        });
        return;
      }
      await client.chat.update({
        channel: body.channel!.id,
        ts: body.message!.ts,
        ...reminderDoneMessage(expiry, done, body.user.id),
      });
    });
  }

  app.action<BlockAction<ButtonAction>>(ACTIONS.reminderExtend, async (args) => {
    await args.ack();
    const expiry = await load(args as ButtonArgs);
    if (!expiry) return;
    const { body, client } = args;
    const metadata = JSON.stringify({
      id: expiry.id,
      at: expiry.expires_at,
      channel: body.channel!.id,
      ts: body.message!.ts,
    });
    await client.views.open({
      trigger_id: body.trigger_id,
      view: extendView(expiry, metadata, deps.now().getTime()),
    });
  });

  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ACTIONS.listPage}_`),
    async ({ ack, action, respond }) => {
      await ack();
      const offset = Math.max(0, Number.parseInt(action.value ?? '0', 10) || 0);
      const page = await deps.store.upcoming(deps.now().getTime(), { limit: PAGE_SIZE, offset });
      await respond({
        response_type: 'ephemeral',
        replace_original: true,
        ...knownListMessage({ ...page, offset }),
      });
    },
  );
}
