import type { SlashCommand } from '@slack/bolt';
import { z } from 'zod';
import type { Requester } from '../../../domain/change-request.js';
import type { Surface } from '../../announce.js';
import type { ListenerDeps } from '../../context.js';
import { responder } from '../../response-url.js';

/** What a command's job keeps of who asked and where to answer them. */
export const askedSchema = z.object({
  user_id: z.string(),
  user_name: z.string(),
  team_domain: z.string().optional(),
  channel_id: z.string(),
  channel_name: z.string().optional(),
  response_url: z.string().optional(),
});
export type Asked = z.infer<typeof askedSchema>;

export const askedOf = (command: SlashCommand): Asked => ({
  user_id: command.user_id,
  user_name: command.user_name,
  team_domain: command.team_domain,
  channel_id: command.channel_id,
  channel_name: command.channel_name,
  response_url: command.response_url,
});

export const requesterOf = (p: Asked): Requester => ({
  userId: p.user_id,
  userName: p.user_name,
  teamDomain: p.team_domain,
  channelId: p.channel_id,
  channelName: p.channel_name,
});

/** Where a command's job answers: its response_url, or a DM once that no longer works. */
export function commandSurface(p: Asked, deps: ListenerDeps): Surface {
  const dm = (message: { text: string }) => deps.slack.chat.postMessage({ channel: p.user_id, ...message });
  const respond = responder(p.response_url, dm);
  return {
    client: deps.slack,
    channel: p.channel_id,
    userId: p.user_id,
    tell: (message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }),
    fallback: (message) => respond({ response_type: 'in_channel', replace_original: false, ...message }),
  };
}
