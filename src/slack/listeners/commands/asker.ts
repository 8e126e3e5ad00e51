import type { SlashCommand } from '@slack/bolt';
import { z } from 'zod';
import type { Requester } from '../../../domain/change-request.js';
import type { ListenerDeps } from '../../context.js';
import { surfaceFor } from '../../surfaces.js';

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
export const commandSurface = (p: Asked, deps: ListenerDeps) =>
  surfaceFor({ userId: p.user_id, channel: p.channel_id, responseUrl: p.response_url }, deps);
