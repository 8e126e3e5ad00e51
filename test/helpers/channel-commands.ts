import type { Bot } from './bot.js';
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

/**
 * Runs `/expire <text>` in C1 and resolves to its result message once the bot has recorded the
 * expiry under it (recorded before it is reported; threaded under the result once that is posted).
 */
export async function scheduleIn(
  slack: FakeSlack,
  bot: Bot,
  now: number,
  text: string,
): Promise<PostedMessage> {
  const seen = new Set(slack.messages);
  await postSigned(bot.url, commandBody({ text, response_url: slack.responseUrl() }));
  const message = await slack.waitFor(() =>
    slack.messages.find((m) => m.channel === 'C1' && !m.thread_ts && !seen.has(m)),
  );
  const threaded = async () =>
    (await bot.store.upcoming(now, { limit: 1_000, offset: 0 })).items.some(
      (e) => e.messageTs === message.ts,
    );
  for (let i = 0; i < 200 && !(await threaded()); i++) await new Promise((r) => setTimeout(r, 10));
  return message;
}
