import { createHash } from 'node:crypto';
import type { BlockAction } from '@slack/bolt';
import type { z } from 'zod';
import type { Requester } from '../domain/change-request.js';
import { parseJson } from '../domain/json.js';
import { findExpiry, type KnownExpiry } from '../services/expiry-change.js';
import type { JobKind, JobResult } from '../work/worker.js';
import { answering, type ChangeJob } from './announce.js';
import { ALREADY_HANDLED, CLICK_IN_HAND } from './blocks/reminder.js';
import type { Message } from './blocks/result.js';
import { textMessage } from './blocks/text.js';
import type { ListenerDeps } from './context.js';
import { passedRefSchema, reminderRef } from './parse/reminder.js';
import { surfaceFor } from './surfaces.js';

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

/**
 * The jobs of clicks on one expiry's buttons, wherever they are shown (a reminder, the Home tab),
 * share this prefix: the button's value, hashed so that no id outgrows the jobs table's.
 */
const clickGroup = (value: string) => `click:${createHash('sha256').update(value).digest('base64url')}:`;

/**
 * A click's job is keyed by the button and the clicker: a double click or a redelivery by the same
 * person is one job, another person's click on the same button is a job of its own.
 */
export const clickJobId = (value: string, from: string, verb: string, userId: string) =>
  `${clickGroup(value)}${from}:${verb}:${userId}`;

/**
 * Clicks on one expiry take turns, the earliest first, so what it does is done once and the next
 * one finds it done (or, if it was refused or failed, does it). The job waits without using up a
 * try; when another person's click is ahead, the clicker hears so once.
 */
export async function waitForTurn(
  value: string,
  job: Pick<ChangeJob, 'id' | 'notes' | 'note'>,
  clickerOf: (payload: unknown) => string | undefined,
  deps: Pick<ListenerDeps, 'work'> & { tell: (message: Message) => Promise<unknown> },
): Promise<JobResult | undefined> {
  const open = await deps.work.openStartingWith(clickGroup(value));
  const mine = open.findIndex((other) => other.id === job.id);
  if (mine <= 0) return undefined;
  const me = clickerOf(open[mine]!.payload);
  const owner = open
    .slice(0, mine)
    .map((other) => clickerOf(other.payload))
    .find((u) => u !== me);
  if (owner && !job.notes.toldTurn) {
    await deps.tell(textMessage(CLICK_IN_HAND(owner)));
    await job.note({ toldTurn: true });
  }
  return { waitMs: TURN_WAIT_MS };
}

/** How often a click waiting its turn looks again: the click ahead usually ends within a second. */
const TURN_WAIT_MS = 250;

/** What every click's job carries: who clicked, and the click's response_url when it had one. */
type ClickPayload = { who: { userId: string; channelId: string }; responseUrl?: string };

/** A click's job: its payload read, its clicker answered through the click's response_url or by DM. */
export function clickJob<S extends z.ZodType<ClickPayload>>(
  schema: S,
  deps: ListenerDeps,
  work: (p: z.infer<S>, tell: (message: Message) => Promise<unknown>) => Promise<JobResult>,
): JobKind {
  return {
    async run(job) {
      const p = schema.parse(job.payload);
      const { tell } = surfaceFor(
        { userId: p.who.userId, channel: p.who.channelId, responseUrl: p.responseUrl },
        deps,
      );
      return answering({ tell }, deps.logger, job.attempt, () => work(p, tell));
    },
  };
}
