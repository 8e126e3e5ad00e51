import type { WebClient } from '@slack/web-api';

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
