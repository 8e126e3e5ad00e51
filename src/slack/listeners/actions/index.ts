import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { cancelExpiry, removeNow, resourceOf } from '../../../services/reminder-actions.js';
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
import { authorize } from '../../guard.js';
import { ACTIONS } from '../../ids.js';
import { parseJson } from '../../parse/json.js';
import { reminderRef } from '../../parse/reminder.js';

type ButtonArgs = Parameters<Parameters<App['action']>[1]>[0] & { body: BlockAction; action: ButtonAction };

/** Reminder buttons (extend, cancel expiry, remove now) and paging of `/expire list`. */
export function register(app: App, deps: ListenerDeps): void {
  /** The expiry a reminder button is about, if this click is the first, current and allowed. */
  const load = async ({ action, body, client, respond }: ButtonArgs, options: { once: boolean }) => {
    const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    // A double click (or a redelivered click) on a button that changes something acts once.
    const key = `button:${action.action_id}:${action.value}`;
    if (options.once && !(await deps.safetyStore.once(key, deps.now().getTime()))) return undefined;
    const ref = parseJson(reminderRef, action.value);
    const expiry = ref && (await deps.store.get(ref.id));
    if (!expiry || expiry.expires_at !== ref.at) {
      await say(ALREADY_HANDLED);
      return undefined;
    }
    const allowed = await authorize(resourceOf(expiry), { client, userId: body.user.id, deps });
    if (!allowed.ok) {
      await say(allowed.message);
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
      const expiry = await load(args as ButtonArgs, { once: true });
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
    // Opening the form changes nothing: its submission is what is done once.
    const expiry = await load(args as ButtonArgs, { once: false });
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
