import { WebClient } from '@slack/web-api';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runReminderPass } from '../../src/passes/reminders.js';
import { MODAL } from '../../src/slack/ids.js';
import type { Db } from '../../src/store/database.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import type { Bot } from './bot.js';
import type { FakeLaunchDarkly } from './fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, type FakeSlack, type PostedMessage } from './fake-slack.js';
import { silent } from './silent-logger.js';
import { type Clicker, clickButton, commandBody, interactionBody, postSigned } from './slack-requests.js';

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

/**
 * Runs one pass of the reminder job at `now` (as the scheduler does, from replica `owner`, with a
 * lead of 2 minutes) and resolves to the reminder it posted under `result`, if it posted one.
 */
export async function remindUnder(
  fakes: { slack: FakeSlack; ld: FakeLaunchDarkly },
  database: Db,
  now: number,
  result: PostedMessage,
  owner = 'replica-1',
): Promise<PostedMessage | undefined> {
  await runReminderPass({
    now,
    deps: {
      store: new ExpiryStore(database.db),
      ld: new LaunchDarklyClient({ baseUri: fakes.ld.url, accessToken: fakes.ld.token }),
      slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fakes.slack.apiUrl }),
      logger: silent,
      leadTimesMs: [2 * 60_000],
      owner,
    },
  });
  return fakes.slack.messages.find((m) => m.thread_ts === result.ts);
}

/** `user` clicks a button of a message in a channel (C1's message 1.1 unless told). */
export function clickIn(
  slack: FakeSlack,
  botUrl: string,
  click: { user: Clicker; actionId: string; value: string },
  message = { channel: 'C1', ts: '1.1' },
) {
  return clickButton(botUrl, {
    ...click,
    channel: message.channel,
    messageTs: message.ts,
    triggerId: slack.trigger(),
    responseUrl: slack.responseUrl(),
  });
}

/**
 * `person` (alice unless told) opens the `/expire` form in C1 and submits sandy on flag
 * new-checkout in 2 weeks, in the default environment: resolves to the bot's answer to the
 * submission (for a protected environment, a confirmation view pushed over the form).
 */
export async function submitFormIn(
  slack: FakeSlack,
  botUrl: string,
  person: Clicker = { id: 'U1', name: 'alice' },
) {
  const before = slack.callsTo('views.open').length;
  await postSigned(
    botUrl,
    commandBody({ text: '', user_id: person.id, user_name: person.name, trigger_id: slack.trigger() }),
  );
  const opened = (await slack.waitFor(() => slack.callsTo('views.open')[before])).response.view;
  const input = (value: string) => ({ type: 'plain_text_input', value });
  const values = {
    [`${MODAL.blocks.resource}_flag`]: {
      [MODAL.actions.flag]: { type: 'x', selected_option: { value: 'new-checkout' } },
    },
    [MODAL.blocks.targets]: { [MODAL.actions.targets]: input('sandy') },
    [MODAL.blocks.when]: { [MODAL.actions.when]: input('in 2 weeks') },
  };
  return postSigned(
    botUrl,
    interactionBody({
      type: 'view_submission',
      team: { id: 'T1', domain: 'acme' },
      user: { id: person.id, username: person.name, name: person.name, team_id: 'T1' },
      api_app_id: 'A1',
      token: 't',
      trigger_id: slack.trigger(),
      view: { ...opened, state: { values } },
    }),
  );
}
