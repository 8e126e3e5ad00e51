import type { BlockAction } from '@slack/bolt';
import type { Requester } from '../domain/change-request.js';
import { parseJson } from '../domain/json.js';
import { ALREADY_HANDLED } from './blocks/reminder.js';
import type { ListenerDeps } from './context.js';
import { reminderRef } from './parse/reminder.js';
import { findReminded, type RemindedExpiry } from './watched-reminders.js';

/**
 * The expiry a reminder's button is about, when the button is not out of date: the expiry is
 * still known and still due at the instant the reminder showed.
 */
export async function loadReminded(
  value: string | undefined,
  deps: Pick<ListenerDeps, 'store' | 'mirror'>,
): Promise<{ ok: true; expiry: RemindedExpiry } | { ok: false; message: string }> {
  const ref = parseJson(reminderRef, value);
  const expiry = ref && (await findReminded(ref.id, deps));
  if (!ref || !expiry || expiry.expiresAt !== ref.at) return { ok: false, message: ALREADY_HANDLED };
  return { ok: true, expiry };
}

/** The person who clicked a button in a channel. */
export function clicker(body: BlockAction): Requester {
  return {
    userId: body.user.id,
    userName: body.user.username ?? body.user.name ?? body.user.id,
    teamDomain: body.team?.domain,
    channelId: body.channel?.id ?? body.user.id,
    channelName: body.channel?.name,
  };
}
