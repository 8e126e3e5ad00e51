import type { BlockAction } from '@slack/bolt';
import type { Requester } from '../domain/change-request.js';
import { parseJson } from '../domain/json.js';
import { findExpiry, type KnownExpiry } from '../services/expiry-change.js';
import { ALREADY_HANDLED } from './blocks/reminder.js';
import type { ListenerDeps } from './context.js';
import { passedRefSchema, reminderRef } from './parse/reminder.js';

/**
 * The expiry a reminder's button is about, when the button is not out of date: the expiry is
 * still known and still due at the instant the reminder showed.
 */
export async function loadReminded(
  value: string | undefined,
  deps: Pick<ListenerDeps, 'store' | 'mirror'>,
): Promise<{ ok: true; expiry: KnownExpiry } | { ok: false; message: string }> {
  const ref = parseJson(reminderRef, value);
  const expiry = ref && (await findExpiry(ref.id, deps));
  if (!ref || !expiry || expiry.expiresAt !== ref.at) return { ok: false, message: ALREADY_HANDLED };
  return { ok: true, expiry };
}

/**
 * The expiry an after-expiry message's Remove now is about. The bot has forgotten it by then: the
 * button carries it, and LaunchDarkly (read by the change) says whether the target is still there.
 */
export function loadPassed(
  value: string | undefined,
): { ok: true; expiry: KnownExpiry } | { ok: false; message: string } {
  const ref = parseJson(passedRefSchema, value);
  if (!ref) return { ok: false, message: ALREADY_HANDLED };
  const [kind, projectKey, key, environmentKey] = ref.r;
  return {
    ok: true,
    expiry: {
      id: '',
      resource: { kind, projectKey, key, environmentKey },
      target: { contextKind: ref.t[0], key: ref.t[1] },
      expiresAt: 0,
      targetType: ref.tt,
      requestedBy: ref.by,
      channelId: ref.c,
      messageTs: ref.m,
      createdAt: 0,
      updatedAt: 0,
      ...(ref.w ? { watched: true as const } : {}),
    },
  };
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
