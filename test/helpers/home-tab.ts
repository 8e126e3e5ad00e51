import { expect } from 'vitest';
import { HOME_CHOICES } from '../../src/slack/blocks/home.js';
import { ACTIONS } from '../../src/slack/ids.js';
import type { FakeSlack } from './fake-slack.js';
import {
  type Clicker,
  homeMenuChoice,
  homeOpened,
  interactionBody,
  postSigned,
  postSignedJson,
} from './slack-requests.js';

/** Opens the Home tab as `userId` (`app_home_opened`) and returns the view then published for them. */
export async function openHome(slack: FakeSlack, botUrl: string, userId: string): Promise<any> {
  const published = slack.callsTo('views.publish').length;
  const res = await postSignedJson(botUrl, homeOpened(userId));
  expect(res.status).toBe(200);
  await slack.waitFor(() => slack.callsTo('views.publish').length > published || undefined);
  return slack.homes.get(userId);
}

/** How many times a Home view has been published for `userId`. */
export const publishes = (slack: FakeSlack, userId: string) =>
  slack.callsTo('views.publish').filter((c) => c.args.user_id === userId).length;

/** A Home view's expiry lines (each with its menu). */
export const expiryBlocks = (view: any) =>
  view.blocks.filter((b: any) => b.accessory?.action_id === ACTIONS.homeExpiry);

/** The value of the `v` choice in an expiry line's menu. */
export const choice = (block: any, v: keyof typeof HOME_CHOICES) =>
  block.accessory.options.find((o: any) => o.text.text === HOME_CHOICES[v]).value;

/** `user` picks the choice whose value is `value` in an expiry line's menu on their Home tab. */
export function chooseOnHome(slack: FakeSlack, botUrl: string, user: Clicker, value: string) {
  return postSigned(
    botUrl,
    interactionBody(
      homeMenuChoice({ user, actionId: ACTIONS.homeExpiry, value, triggerId: slack.trigger() }),
    ),
  );
}
