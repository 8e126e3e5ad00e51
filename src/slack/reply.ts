import type { KnownBlock, View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import type { Message } from './blocks/result.js';

/** Where a result goes: the channel, or another way to the person when the bot can't post there. */
export interface Destination {
  client: WebClient;
  channel: string;
  logger: Logger;
  /** The command's response_url, or a DM for a modal: used when the channel refuses the bot. */
  fallback: (message: Message) => Promise<unknown>;
}

/** Where a message about something said in a channel goes: that message's thread, if it has one. */
export const threadOf = (a: { channelId: string; messageTs?: string }) => ({
  channel: a.channelId,
  ...(a.messageTs ? { thread_ts: a.messageTs } : {}),
});

/** chat.update errors saying the message is no longer there to update. */
const GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** chat.postMessage errors after which the response_url is the only way to answer. */
const CANNOT_POST = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'cannot_dm_bot',
]);

export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Posts visibly in the channel; falls back (private channels, DMs) to the destination's fallback. */
export async function postResult(
  to: Destination,
  message: Message,
  mark?: JobMark,
): Promise<{ via: 'channel'; ts: string } | { via: 'fallback' }> {
  try {
    const answer = await to.client.chat.postMessage({
      channel: to.channel,
      ...message,
      ...(mark ? { metadata: mark } : {}),
      unfurl_links: false,
    });
    return { via: 'channel', ts: answer.ts! };
  } catch (error) {
    const code = slackErrorCode(error);
    if (!code || !CANNOT_POST.has(code)) throw error;
    to.logger.info({ channel: to.channel, code }, 'cannot post in the channel; answering another way');
    await to.fallback(message);
    return { via: 'fallback' };
  }
}

/** Slack message metadata naming the job a message belongs to: how a resumed job finds it. */
export interface JobMark {
  event_type: 'ld_expiry_bot_job';
  event_payload: { job: string };
}

export const jobMark = (job: string): JobMark => ({
  event_type: 'ld_expiry_bot_job',
  event_payload: { job },
});

/** How far back a resumed job looks for the message it may have posted: 3 pages of 200. */
const LOOK_BACK_PAGES = 3;

/**
 * The message a job posted in the channel before its process died, found by its mark among the
 * channel's latest messages; undefined when it is not there (or history cannot be read: then the
 * job posts anew, a possible duplicate being better than silence).
 */
export async function findMarked(to: Destination, mark: JobMark): Promise<string | undefined> {
  let cursor: string | undefined;
  try {
    for (let page = 0; page < LOOK_BACK_PAGES; page++) {
      const answer = await to.client.conversations.history({
        channel: to.channel,
        limit: 200,
        include_all_metadata: true,
        ...(cursor ? { cursor } : {}),
      });
      const found = answer.messages?.find(
        (m) =>
          m.metadata?.event_type === mark.event_type &&
          (m.metadata.event_payload as { job?: unknown } | undefined)?.job === mark.event_payload.job,
      );
      if (found?.ts) return found.ts;
      cursor = answer.response_metadata?.next_cursor;
      if (!answer.has_more || !cursor) return undefined;
    }
  } catch (error) {
    to.logger.warn(
      { err: error, channel: to.channel, code: slackErrorCode(error) },
      'could not look for a posted message',
    );
  }
  return undefined;
}

export interface Progress {
  update(done: number): void;
  /** Replaces the progress message with the final one, or posts it. */
  finish(message: Message): Promise<{ ts?: string }>;
  /** Nothing to announce after all (the answer is for the asker alone): no progress message stays. */
  cancel(): Promise<void>;
  /** The work stops here and goes on later (a retry): the progress message stays as it is. */
  pause(): Promise<void>;
}

/**
 * Shows progress when work takes longer than `afterMs`: posts a message then, updates it in place
 * at most once every `everyMs`, and turns it into the final result. Quick work posts only the result.
 */
export function trackProgress(
  to: Destination,
  render: (done: number) => Message,
  options: {
    afterMs: number;
    everyMs?: number;
    /** A progress message an earlier run of the same work posted. */
    postedTs?: string;
    /** Told once a progress message is in the channel. */
    onPosted?: (ts: string) => Promise<unknown>;
    /**
     * Carried by the messages posted (metadata), and awaited before the first post: the job
     * notes that it may have posted, so that a resumed run looks for the message first.
     */
    mark?: { mark: JobMark; beforePost: () => Promise<unknown> };
  },
): Progress {
  const post = async (message: Message) => {
    await options.mark?.beforePost();
    return postResult(to, message, options.mark?.mark);
  };
  let done = 0;
  let posted: Promise<string | undefined> | undefined = options.postedTs
    ? Promise.resolve(options.postedTs)
    : undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let lastUpdate = 0;
  const everyMs = options.everyMs ?? 1_000;
  const timer = posted
    ? undefined
    : setTimeout(() => {
        posted = post(render(done)).then(
          async (r) => {
            if (r.via !== 'channel') return undefined;
            await options.onPosted?.(r.ts).catch((error: unknown) => {
              to.logger.warn({ err: error }, 'could not note the progress message');
            });
            return r.ts;
          },
          (error) => {
            to.logger.warn({ err: error }, 'could not post progress');
            return undefined;
          },
        );
      }, options.afterMs);

  const update = (ts: string, message: Message) =>
    to.client.chat.update({
      channel: to.channel,
      ts,
      ...message,
      ...(options.mark ? { metadata: options.mark.mark } : {}),
    });
  const updateTo = (message: Message) =>
    posted!.then((ts) => (ts ? update(ts, message).then(() => ts) : undefined));

  return {
    update(value) {
      done = value;
      const now = Date.now();
      if (!posted || now - lastUpdate < everyMs) return;
      lastUpdate = now;
      chain = chain
        .then(() => updateTo(render(value)))
        .catch((error) => to.logger.warn({ err: error }, 'could not update progress'));
    },
    async finish(message) {
      clearTimeout(timer);
      await chain;
      const ts = posted ? await posted : undefined;
      if (ts) {
        try {
          await update(ts, message);
          return { ts };
        } catch (error) {
          // Someone deleted the progress message: the result is posted anew instead.
          if (!GONE.has(slackErrorCode(error) ?? '')) throw error;
        }
      }
      const result = await post(message);
      return { ts: result.via === 'channel' ? result.ts : undefined };
    },
    async cancel() {
      clearTimeout(timer);
      await chain;
      const ts = posted ? await posted : undefined;
      if (ts) await to.client.chat.delete({ channel: to.channel, ts });
    },
    async pause() {
      clearTimeout(timer);
      await chain;
      if (posted) await posted;
    },
  };
}

/** views.open errors after which the form cannot open: the trigger lived its 3 s, or was used. */
const TRIGGER_GONE = new Set(['expired_trigger_id', 'exchanged_trigger_id', 'invalid_trigger_id']);

export const FORM_TOO_LATE =
  ':hourglass: Slack stopped waiting before the form could open. Please try again; nothing was changed.';

/**
 * views.open and views.update with the view as the JSON text Slack's API takes. Given an object,
 * the Web API client walks it key by key to redact a debug line that it builds even when logging
 * is off. Kept for the bench's ack figure, whose load opens a form every tenth command: half the
 * CPU of a views.open (about 1 ms of 2) is that walk, on the loop that acks.
 */
const openView = (client: WebClient, triggerId: string, view: View) =>
  client.apiCall('views.open', { trigger_id: triggerId, view: JSON.stringify(view) });

export const updateView = (client: WebClient, args: { view_id: string; hash?: string; view: View }) =>
  client.apiCall('views.update', { ...args, view: JSON.stringify(args.view) });

/** Opens a modal; when its trigger is gone, tells the person (who would otherwise see nothing). */
export async function openForm(
  client: WebClient,
  triggerId: string,
  view: View,
  tell: (text: string) => Promise<unknown>,
): Promise<void> {
  try {
    await openView(client, triggerId, view);
  } catch (error) {
    if (!TRIGGER_GONE.has(slackErrorCode(error) ?? '')) throw error;
    await tell(FORM_TOO_LATE);
  }
}

/** chat.postMessage errors after which a channel no longer takes the bot's messages. */
const UNREACHABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/**
 * Posts a job's message where it belongs, or by DM to `fallbackUser` when that channel no longer
 * takes the bot's messages. `retry`: Slack failed otherwise, try again later; `lost`: neither way
 * worked. Nobody is waiting on the other end, so failures are only logged here.
 */
export async function postOrDm(
  slack: Pick<WebClient, 'chat'>,
  where: { channel: string; thread_ts?: string },
  fallbackUser: string,
  message: Message,
  logger: Logger,
): Promise<{ ts: string | undefined } | 'retry' | 'lost'> {
  try {
    return { ts: (await slack.chat.postMessage({ ...where, ...message, unfurl_links: false })).ts };
  } catch (error) {
    const code = slackErrorCode(error);
    logger.warn({ err: error, channel: where.channel, code }, 'could not post a job message');
    if (!code || !UNREACHABLE.has(code)) return 'retry';
  }
  try {
    return { ts: (await slack.chat.postMessage({ channel: fallbackUser, ...message })).ts };
  } catch (error) {
    logger.warn({ err: error, channel: where.channel }, 'could not send it by DM either');
    return 'lost';
  }
}

/**
 * Takes one block (spent buttons, say, whose value is `value`) out of a message the bot posted —
 * the message at `at`, or one in its thread (a result posted under an approval's request) — and
 * leaves the rest as it was: read back from Slack, updated in place. Best effort: a message gone
 * or unreadable stays as it is (logged), and its buttons still answer that they are spent.
 */
export async function dropBlock(
  slack: Pick<WebClient, 'chat' | 'conversations'>,
  at: { channel: string; ts: string },
  block: { id: string; value: string },
  logger: Logger,
): Promise<void> {
  const holds = (m: { blocks?: unknown[] }) =>
    ((m.blocks ?? []) as Array<{ block_id?: string; elements?: Array<{ value?: string }> }>).some(
      (b) => b.block_id === block.id && b.elements?.some((e) => e.value === block.value),
    );
  try {
    const top = await slack.conversations.history({
      channel: at.channel,
      latest: at.ts,
      oldest: at.ts,
      inclusive: true,
      limit: 1,
    });
    let message = top.messages?.find((m) => m.ts === at.ts && holds(m));
    if (!message) {
      const thread = await slack.conversations.replies({ channel: at.channel, ts: at.ts, limit: 200 });
      message = thread.messages?.find((m) => holds(m));
    }
    if (!message?.ts) {
      logger.info({ channel: at.channel, ts: at.ts, block: block.id }, 'no spent buttons found to take off');
      return;
    }
    const blocks = (message.blocks ?? []) as KnownBlock[];
    await slack.chat.update({
      channel: at.channel,
      ts: message.ts,
      text: message.text ?? '',
      blocks: blocks.filter((b) => b.block_id !== block.id),
    });
  } catch (error) {
    logger.warn(
      { err: error, channel: at.channel, code: slackErrorCode(error) },
      'could not take spent buttons off a message',
    );
  }
}
