import type { FakeSlack, PostedMessage } from './fake-slack.js';
import { commandBody, postSigned } from './slack-requests.js';

/** Runs `/expire <text>` as alice in `channel`, its response_url answered by the fake Slack. */
export function expireIn(slack: FakeSlack, botUrl: string, text: string, channel = 'C1') {
  return postSigned(
    botUrl,
    commandBody({ text, response_url: slack.responseUrl(), channel_id: channel, channel_name: channel }),
  );
}

/** `/expire watch --env production` in `channel`; resolves to the channel's "Following" message. */
export async function watchFrom(slack: FakeSlack, botUrl: string, channel: string): Promise<PostedMessage> {
  const before = slack.messages.length;
  await expireIn(slack, botUrl, 'watch --env production', channel);
  return slack.waitFor(() =>
    slack.messages.slice(before).find((m) => m.channel === channel && m.text?.startsWith('Following')),
  );
}
