import type { WebClient } from '@slack/web-api';
import type { Message } from './blocks/result.js';
import { responder } from './response-url.js';

/** Where a job answers the person who asked, and the channel when it refuses the bot. */
export interface Surface {
  client: WebClient;
  /** The channel the change was asked in: results are announced there. */
  channel: string;
  userId: string;
  /** Only the asker sees it. */
  tell: (message: Message) => Promise<unknown>;
  /** For the channel, where the channel refuses the bot's posts. */
  fallback: (message: Message) => Promise<unknown>;
  /** Replaces the private message acted on (a question once answered), or tells anew by DM. */
  replace: (message: Message) => Promise<unknown>;
}

/** What a job knows of where its request came from. */
export interface AnswerRoute {
  userId: string;
  channel: string;
  /** A command's or a button's response_url (five answers within 30 minutes). */
  responseUrl?: string;
  /** No response_url, but a message the person acted on (Extend's form): answer privately there. */
  ephemeralIn?: string;
}

/**
 * The one place that decides where an answer goes, by what the request came with: a response_url
 * (a command, a button) answers through it while it works, then by DM; a message acted on without
 * one (Extend's form) answers privately in its channel; a form or the Home tab by DM.
 */
export function surfaceFor(route: AnswerRoute, deps: { slack: WebClient }): Surface {
  const dm = (message: Message) => deps.slack.chat.postMessage({ channel: route.userId, ...message });
  const respond = responder(route.responseUrl, dm);
  const { ephemeralIn } = route;
  return {
    client: deps.slack,
    channel: route.channel,
    userId: route.userId,
    tell: route.responseUrl
      ? (message) => respond({ response_type: 'ephemeral', replace_original: false, ...message })
      : ephemeralIn
        ? (message) => deps.slack.chat.postEphemeral({ channel: ephemeralIn, user: route.userId, ...message })
        : dm,
    fallback: route.responseUrl
      ? (message) => respond({ response_type: 'in_channel', replace_original: false, ...message })
      : dm,
    replace: (message) => respond({ response_type: 'ephemeral', replace_original: true, ...message }),
  };
}
