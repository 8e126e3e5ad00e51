import { createHmac, randomUUID } from 'node:crypto';
import { BLOCKS, INPUTS } from '../../src/slack/ids.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** `v0=` + hex(HMAC-SHA256(secret, `v0:{timestamp}:{body}`)), as Slack signs requests. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedResponse {
  status: number;
  body: string;
  json: () => any;
  ms: number;
}

/** Posts a form body to the bot's /slack/events, signed like Slack (or not, with `signature`). */
export async function postSigned(
  botUrl: string,
  body: string,
  options: { secret?: string; timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
): Promise<SignedResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(`${botUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature':
        options.signature ?? slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, json: () => JSON.parse(text), ms: performance.now() - started };
}

export interface CommandFields {
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  response_url?: string;
  trigger_id?: string;
}

/** The form body of a `/expire` slash command. */
export function commandBody(fields: CommandFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: fields.channel_id ?? 'C1',
    channel_name: fields.channel_name ?? 'release',
    user_id: fields.user_id ?? 'U1',
    user_name: fields.user_name ?? 'alice',
    command: '/expire',
    text: fields.text,
    api_app_id: 'A1',
    response_url: fields.response_url ?? 'http://127.0.0.1:9/unused',
    // Slack issues a new trigger id with every invocation.
    trigger_id: fields.trigger_id ?? `${Date.now()}.${randomUUID()}`,
  }).toString();
}

/** The form body of an interaction (block_actions, view_submission, block_suggestion…). */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface Clicker {
  id: string;
  name: string;
}

let clicks = 0;
/** Every click its own instant, as Slack gives them; the same body again is a redelivery. */
export const nextActionTs = () => `${Math.floor(Date.now() / 1000)}.${String(++clicks).padStart(6, '0')}`;

/** A block_actions payload for a button in a channel message. */
export function buttonClick(options: {
  user: Clicker;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  triggerId: string;
  responseUrl: string;
}) {
  return {
    type: 'block_actions',
    user: { id: options.user.id, username: options.user.name, name: options.user.name, team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel,
      is_ephemeral: false,
    },
    trigger_id: options.triggerId,
    team: { id: 'T1', domain: 'acme' },
    channel: { id: options.channel, name: 'release' },
    message: { type: 'message', ts: options.messageTs, text: 'reminder' },
    response_url: options.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'reminder_actions',
        value: options.value,
        text: { type: 'plain_text', text: 'button' },
        action_ts: nextActionTs(),
      },
    ],
  };
}

/** A view_submission payload for a modal the bot opened, with text input values. */
export function viewSubmission(options: {
  user: Clicker;
  view: { callback_id: string; private_metadata?: string; id?: string };
  values: Record<string, Record<string, string>>;
}) {
  const values = Object.fromEntries(
    Object.entries(options.values).map(([block, inputs]) => [
      block,
      Object.fromEntries(
        Object.entries(inputs).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: options.user.id, username: options.user.name, name: options.user.name, team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    trigger_id: '1.2.3',
    view: {
      id: options.view.id ?? 'V1',
      team_id: 'T1',
      type: 'modal',
      callback_id: options.view.callback_id,
      private_metadata: options.view.private_metadata ?? '',
      state: { values },
      hash: 'h',
      title: { type: 'plain_text', text: 'x' },
      blocks: [],
    },
  };
}

/** An Events API request body (JSON), as Slack sends it to the request URL. */
export function eventBody(event: Record<string, unknown>, eventId = `Ev${randomUUID().slice(0, 8)}`): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
  });
}

/** `app_home_opened` for a person opening the bot's Home (or Messages) tab. */
export function homeOpened(user: string, tab: 'home' | 'messages' = 'home'): string {
  return eventBody({
    type: 'app_home_opened',
    user,
    channel: 'D0HOME',
    tab,
    event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
  });
}

/** Posts a JSON body (Events API) to the bot's /slack/events, signed like Slack unless told otherwise. */
export function postSignedJson(
  botUrl: string,
  body: string,
  options: { secret?: string; signature?: string } = {},
): Promise<SignedResponse> {
  return postSigned(botUrl, body, { ...options, headers: { 'Content-Type': 'application/json' } });
}

/** A block_actions payload for an overflow menu choice on the bot's Home tab (no channel, no response_url). */
export function homeMenuChoice(options: {
  user: Clicker;
  actionId: string;
  blockId?: string;
  value: string;
  triggerId: string;
}) {
  return homeAction(options.user, options.triggerId, {
    type: 'overflow',
    action_id: options.actionId,
    block_id: options.blockId ?? 'home_block',
    selected_option: { text: { type: 'plain_text', text: 'choice' }, value: options.value },
    action_ts: nextActionTs(),
  });
}

/** A block_actions payload as Slack sends it for `action` on `user`'s Home tab: its view, no channel, no response_url. */
export function homeAction(user: Clicker, triggerId: string, action: Record<string, unknown>) {
  return {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: `VH${user.id}` },
    trigger_id: triggerId,
    team: { id: 'T1', domain: 'acme' },
    view: { id: `VH${user.id}`, type: 'home', team_id: 'T1', blocks: [], state: { values: {} }, hash: 'h' },
    actions: [action],
  };
}

/** A signed click on a message button, sent to the bot as Slack sends it. */
export function clickButton(botUrl: string, options: Parameters<typeof buttonClick>[0]) {
  return postSigned(botUrl, interactionBody(buttonClick(options)));
}

/** A signed submission of the Extend form (`view`, as the bot opened it) asking for `when`. */
export function submitExtendForm(
  botUrl: string,
  options: { user: Clicker; view: Parameters<typeof viewSubmission>[0]['view']; when: string },
) {
  return postSigned(
    botUrl,
    interactionBody(
      viewSubmission({
        user: options.user,
        view: options.view,
        values: { [BLOCKS.extendWhen]: { [INPUTS.extendWhen]: options.when } },
      }),
    ),
  );
}
