import type { BlockAction, OverflowAction } from '@slack/bolt';
import { JOB_KINDS } from '../../../work/kinds.js';
import { SOMETHING_WENT_WRONG } from '../../announce.js';
import { HOME_STALE } from '../../blocks/home.js';
import { extendView } from '../../blocks/reminder.js';
import { clicker, clickJobId, loadReminded } from '../../clicks.js';
import type { ListenerDeps } from '../../context.js';
import { publishHome } from '../../home.js';
import { ACTIONS } from '../../ids.js';
import { homeChoice } from '../../parse/reminder.js';
import { openForm } from '../../reply.js';
import type { Router } from '../../router.js';
import { takeOn } from '../../submit.js';
import type { ReminderButtonPayload } from './reminder-buttons.js';

/**
 * The Home tab's menu on each expiry: the reminders' actions, through the same jobs (the same use
 * case and policy). A view has no response_url: the person hears by DM, and the tab is published
 * again once the change is done (or found out of date).
 */
export function registerHomeMenu(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<OverflowAction>>(ACTIONS.homeExpiry, async ({ ack, action, body, client }) => {
    const userId = body.user.id;
    const dm = (text: string) => deps.slack.chat.postMessage({ channel: userId, text });
    try {
      const parsed = homeChoice.safeParse(action.selected_option?.value);
      const choice = parsed.success ? parsed.data : undefined;
      if (!choice) {
        await ack();
        await dm(HOME_STALE);
        return;
      }
      const value = JSON.stringify({ id: choice.id, at: choice.at });
      if (choice.v === 'extend') {
        await ack();
        const expiry = await loadReminded(value, deps);
        if (!expiry.ok) {
          await publishHome(deps, userId);
          await dm(HOME_STALE);
          return;
        }
        const metadata = JSON.stringify({ id: choice.id, at: choice.at, home: true });
        await openForm(
          client,
          body.trigger_id,
          extendView(expiry.expiry, metadata, deps.now().getTime()),
          dm,
        );
        return;
      }
      const id = clickJobId(value, 'home', choice.v, userId);
      const refused = await takeOn(deps, JOB_KINDS.reminderButton, id, {
        verb: choice.v,
        value,
        who: clicker(body),
        from: 'home',
      } satisfies ReminderButtonPayload);
      await ack();
      if (refused) await dm(refused);
    } catch (error) {
      deps.logger.error({ err: error }, 'a Home tab action could not be handled');
      await dm(SOMETHING_WENT_WRONG);
    }
  });
}
