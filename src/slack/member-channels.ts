import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import type { WatchStore } from '../store/watch-store.js';

/** Slack's largest page for users.conversations. */
const PAGE = 999;

/**
 * The public and private channels a person is in that the bot is in too (what users.conversations
 * answers a bot token), every page of them. Throws what Slack throws.
 */
export async function channelsOf(slack: Pick<WebClient, 'users'>, userId: string): Promise<Set<string>> {
  const channels = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await slack.users.conversations({
      user: userId,
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const c of page.channels ?? []) if (c.id) channels.add(c.id);
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return channels;
}

/** Which watching channels' expiries a person may see; `unknown` when Slack could not say. */
export interface WatchedVisibility {
  /** The watching channels the person is in (none when unknown). */
  channels: string[];
  unknown: boolean;
}

/**
 * The one rule for every surface that lists watched expiries (the Home tab, `/expire list`): a
 * person sees an environment's expiries only while they are in a channel watching it, since a
 * private channel's watch would otherwise show its environment (and who set what) to everyone.
 * When Slack cannot say which channels they are in, they see none, and the surface says so.
 */
export async function watchedVisibleTo(
  deps: { slack: Pick<WebClient, 'users'>; watches: Pick<WatchStore, 'watchingChannels'>; logger: Logger },
  userId: string,
): Promise<WatchedVisibility> {
  const watching = await deps.watches.watchingChannels();
  if (watching.length === 0) return { channels: [], unknown: false };
  try {
    const theirs = await channelsOf(deps.slack, userId);
    return { channels: watching.filter((c) => theirs.has(c)), unknown: false };
  } catch (error) {
    deps.logger.warn({ err: error, user: userId }, 'could not list the channels of a person');
    return { channels: [], unknown: true };
  }
}
