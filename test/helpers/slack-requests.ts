import { createHmac } from 'node:crypto';

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
    trigger_id: fields.trigger_id ?? '1.2.3',
  }).toString();
}

/** The form body of an interaction (block_actions, view_submission, block_suggestion…). */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
