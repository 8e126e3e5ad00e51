import type { BlockAction, ButtonAction } from '@slack/bolt';
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
import { openForm } from '../../reply.js';
import type { ActionArgs, Router } from '../../router.js';

type ButtonArgs = ActionArgs<BlockAction<ButtonAction>>;

/** Reminder buttons (extend, cancel expiry, remove now) and paging of `/expire list`. */
export function register(router: Router, deps: ListenerDeps): void {
  const say = (respond: ButtonArgs['respond'], text: string) =>
    respond({ response_type: 'ephemeral', replace_original: false, text });

  /** The expiry a reminder button is about, when the button is not out of date. */
  const load = async ({ action, respond }: ButtonArgs) => {
    const ref = parseJson(reminderRef, action.value);
    const expiry = ref && (await deps.store.get(ref.id));
    if (!expiry || expiry.expires_at !== ref.at) {
      await say(respond, ALREADY_HANDLED);
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
    /** True when the click is settled (done, or out of date); false when it may be tried again. */
    const press = async (args: ButtonArgs): Promise<boolean> => {
      const { body, client, respond } = args;
      const expiry = await load(args);
      if (!expiry) return true;
      const allowed = await authorize(resourceOf(expiry), { client, userId: body.user.id, deps });
      if (!allowed.ok) {
        await say(respond, allowed.message);
        return false;
      }
      const ctx = { ld: deps.ld, store: deps.store, asker: asker(body), now: deps.now().getTime() };
      const outcome = await run(expiry, ctx);
      if (!outcome.ok) {
        await say(respond, `:x: ${escapeMrkdwn(outcome.message)}`);
        return false;
      }
      await client.chat.update({
        channel: body.channel!.id,
        ts: body.message!.ts,
        ...reminderDoneMessage(expiry, done, body.user.id),
      });
      return true;
    };
    router.action<BlockAction<ButtonAction>>(actionId, async (args) => {
      await args.ack();
      // A double click (or a redelivered click) acts once; a click that failed can be tried again.
      const onceKey = `button:${args.action.action_id}:${args.action.value}`;
      if (!(await deps.safetyStore.once(onceKey, deps.now().getTime()))) return;
      if (!(await press(args))) await deps.safetyStore.forget(onceKey);
    });
  }

  router.action<BlockAction<ButtonAction>>(ACTIONS.reminderExtend, async (args) => {
    await args.ack();
    // Nothing slow before views.open (the trigger lives 3 s): the submission checks the policy
    // and is what is done once.
    const expiry = await load(args);
    if (!expiry) return;
    const { body, client } = args;
    const metadata = JSON.stringify({
      id: expiry.id,
      at: expiry.expires_at,
      channel: body.channel!.id,
      ts: body.message!.ts,
    });
    await openForm(client, body.trigger_id, extendView(expiry, metadata, deps.now().getTime()), (text) =>
      say(args.respond, text),
    );
  });

  router.action<BlockAction<ButtonAction>>(
    { prefix: `${ACTIONS.listPage}_` },
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
