import { expect } from 'vitest';
import { ACTIONS, BLOCKS, INPUTS, VIEWS } from '../../src/slack/ids.js';
import type { FakeLaunchDarkly } from './fake-launchdarkly.js';
import type { FakeSlack, PostedMessage } from './fake-slack.js';
import { ALICE } from './people.js';
import {
  type Clicker,
  clickButton,
  commandBody,
  homeAction,
  interactionBody,
  nextActionTs,
  postSigned,
  viewSubmission,
} from './slack-requests.js';

/**
 * Approvals in Slack over an open change policy: production needs one approver, bob (U2) or a
 * member of the user group S0RELEASE; nothing is protected (no Confirm question).
 */
export const APPROVAL_ENV = {
  CHANGE_POLICY: '*/*=*',
  PROTECTED_ENVIRONMENTS: 'none',
  APPROVERS: '*/production=S0RELEASE,U2',
  APPROVAL_TIMEOUT: '24h',
};

/** Where a click on a request's buttons comes from: its message in C1, or the clicker's Home tab. */
export type ClickedOn = { message: string } | 'home';

/**
 * The steps of an approval test, over the file's fakes (`fakesPerFile`): asking, finding the
 * request, clicking its buttons (in the channel or on Home), declining with the form, and what
 * LaunchDarkly received.
 */
export function approvalSteps({ slack, ld }: { slack: FakeSlack; ld: FakeLaunchDarkly }) {
  /** `/expire <text>` in C1 as `user` (alice unless told). */
  async function expire(botUrl: string, text: string, user: Clicker = ALICE) {
    const res = await postSigned(
      botUrl,
      commandBody({ text, user_id: user.id, user_name: user.name, response_url: slack.responseUrl() }),
    );
    expect(res.status).toBe(200);
  }

  /** The request message in C1 once it is posted, and its approval id. */
  async function requestMessage(): Promise<{ message: PostedMessage; id: string }> {
    const message = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && !m.thread_ts && m.text?.includes('asks for approval')),
    );
    const actions = message.blocks!.find((b: any) => b.block_id === BLOCKS.approvalActions);
    return { message, id: actions.elements[0].value };
  }

  /** `user` clicks a request's button (`actionId`, value `id`) on its message in C1 or on their Home tab. */
  function click(
    botUrl: string,
    user: Clicker,
    actionId: string,
    id: string,
    on: ClickedOn = { message: '1.1' },
  ) {
    if (on !== 'home')
      return clickButton(botUrl, {
        user,
        actionId,
        value: id,
        channel: 'C1',
        messageTs: on.message,
        triggerId: slack.trigger(),
        responseUrl: slack.responseUrl(),
      });
    // As Slack sends a click on a Home tab's button: its view, no channel, no message, no response_url.
    const home = slack.homes.get(user.id);
    const block = home?.blocks.find((b: any) =>
      [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])].some(
        (e: any) => e.action_id === actionId && e.value === id,
      ),
    );
    expect(block, `${user.name}'s Home tab shows ${actionId} for ${id}`).toBeDefined();
    return postSigned(
      botUrl,
      interactionBody(
        homeAction(user, slack.trigger(), {
          type: 'button',
          action_id: actionId,
          block_id: block.block_id,
          value: id,
          text: { type: 'plain_text', text: 'button' },
          action_ts: nextActionTs(),
        }),
      ),
    );
  }

  /**
   * `user` clicks Decline (in the channel or on Home), and submits the form it opens, with
   * `reason` when given. Returns the form's submission answer.
   */
  async function decline(botUrl: string, user: Clicker, id: string, on: ClickedOn, reason?: string) {
    const opened = slack.callsTo('views.open').length;
    await click(botUrl, user, ACTIONS.approvalDecline, id, on);
    const call = await slack.waitFor(() => slack.callsTo('views.open')[opened]);
    const view = typeof call.args.view === 'string' ? JSON.parse(call.args.view) : call.args.view;
    expect(view.callback_id).toBe(VIEWS.decline);
    const submitted = await postSigned(
      botUrl,
      interactionBody(
        viewSubmission({
          user,
          view: {
            id: call.response.view?.id,
            callback_id: VIEWS.decline,
            private_metadata: view.private_metadata,
          },
          values: reason ? { [BLOCKS.declineReason]: { [INPUTS.declineReason]: reason } } : {},
        }),
      ),
    );
    expect(submitted.status).toBe(200);
    return submitted;
  }

  /** A private answer through a response_url that says `text`, once it comes. */
  const privately = (text: string) =>
    slack.waitFor(() => slack.responseUrlPosts.find((p) => JSON.stringify(p.body).includes(text)));

  /** A DM from the bot to `userId` that says `text`, once it comes. */
  const dm = (userId: string, text: string) =>
    slack.waitFor(() => slack.messages.find((m) => m.channel === userId && m.text?.includes(text)));

  /** What LaunchDarkly was asked to change about expiries. */
  const expiryPatches = () => ld.patches().filter((p) => /expiring-(user-)?targets/.test(p.path));

  return { expire, requestMessage, click, decline, privately, dm, expiryPatches };
}
