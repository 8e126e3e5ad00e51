import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Requester } from '../domain/change-request.js';
import type { Timing } from '../domain/timing.js';
import type { Verb } from '../domain/vocabulary.js';
import { changeExpiry, type KnownExpiry } from '../services/expiry-change.js';
import type { JobResult } from '../work/worker.js';
import { type ChangeJob, privateAnswer, retries, retryLater } from './announce.js';
import { announceApproval } from './approval-messages.js';
import { escapeMrkdwn } from './blocks/mrkdwn.js';
import { reminderDone, reminderDoneMessage } from './blocks/reminder.js';
import type { Message } from './blocks/result.js';
import { textMessage } from './blocks/text.js';
import type { ListenerDeps } from './context.js';
import { type HomeDeps, publishHome } from './home.js';
import { watchedVisibleTo } from './member-channels.js';

/**
 * Where a change on a known expiry was asked: a reminder (updated in place), an after-expiry
 * message (answered in its thread: the message speaks for several targets) or the Home tab
 * (published again).
 */
export const askedFromSchema = z.enum(['reminder', 'passed', 'home']);
export type AskedFrom = z.infer<typeof askedFromSchema>;

/**
 * How a change done from `from` is shown there. A watched environment's reminder is grouped: it
 * keeps the other targets' buttons, so what was done goes in its thread instead.
 */
function showDone(
  from: AskedFrom,
  message: { channel: string; ts: string } | undefined,
  who: string,
  deps: HomeDeps,
): (expiry: KnownExpiry, done: string) => Promise<unknown> {
  return async (expiry, done) => {
    if (from === 'home' || !message) return publishHome(deps, who);
    const shown = reminderDoneMessage(expiry, done, who);
    if (from === 'reminder' && !expiry.watched) return deps.slack.chat.update({ ...message, ...shown });
    return deps.slack.chat.postMessage({
      channel: message.channel,
      thread_ts: expiry.messageTs ?? message.ts,
      ...shown,
    });
  };
}

/**
 * A change clicked on a known expiry (Cancel expiry, Remove now, Extend), as a job: the use case,
 * then the outcome shown where it was asked (the reminder, its thread, the Home tab). Anything
 * else is told to the person who clicked; a transient failure is retried (told once); 'failed'
 * lets the person click again.
 */
export async function clickedChange(
  expiry: KnownExpiry,
  verb: Verb,
  timing: Timing,
  ctx: {
    who: Requester;
    from: AskedFrom;
    /** The message the change was asked from, if any (not on the Home tab). */
    message?: { channel: string; ts: string };
    /** The new time as typed (Extend), for approvers. */
    words?: string;
    tell: (message: Message) => Promise<unknown>;
    deps: ListenerDeps;
    job: ChangeJob;
  },
): Promise<JobResult> {
  const { job, tell } = ctx;
  // A change held for approval is held under an id of its own, noted so that a resumed job finds it
  // (the job's id stays the same for the next click on this button, after a decline or a timeout).
  let holdId = job.notes.holdId;
  if (!holdId && ctx.deps.approvals.configured) {
    holdId = randomUUID();
    await job.note({ holdId });
  }
  const outcome = await changeExpiry(
    expiry,
    verb,
    timing,
    {
      who: ctx.who,
      message: ctx.message,
      plan: {
        resumed: job.notes.planned,
        onPlan: job.notes.planned ? undefined : (planned) => job.note({ planned }),
      },
      holdId: holdId ?? randomUUID(),
      words: ctx.words,
      // From Home, a watched expiry's request goes to a watching channel the clicker is in.
      theirWatching: () => theirWatchingChannels(ctx.deps, ctx.who.userId),
    },
    ctx.deps,
  );
  switch (outcome.kind) {
    case 'done':
      await showDone(
        ctx.from,
        ctx.message,
        ctx.who.userId,
        ctx.deps,
      )(expiry, reminderDone(verb, outcome.expiresAt));
      if (outcome.warning) await tell(textMessage(`:warning: ${escapeMrkdwn(outcome.warning)}`));
      return 'done';
    case 'target-failed':
      await tell(textMessage(`:x: ${escapeMrkdwn(outcome.message)}`));
      return 'failed';
    case 'failed':
      if (retries(outcome, job)) return retryLater(job, tell);
      await tell(textMessage(`:x: ${escapeMrkdwn(outcome.message)}`));
      return 'failed';
    case 'needs-approval': {
      // Held for approvers, in the channel where it was asked; the clicker is told privately.
      const { slack } = ctx.deps;
      const surface = {
        client: slack,
        channel: outcome.approval.channelId,
        userId: ctx.who.userId,
        tell,
        fallback: tell,
        replace: tell,
      };
      await announceApproval(outcome.approval, surface, ctx.deps, job.attempt > 1);
      // The click's key is given back: once the request is decided, the same button asks anew
      // (asked again while it waits, the same request is found).
      return 'failed';
    }
    default: {
      const answer = privateAnswer(outcome);
      if (answer) await tell(answer);
      return 'failed';
    }
  }
}

/**
 * The watching channels a person is in; Slack not saying which throws, so that the click is tried
 * again rather than told that none of their channels watches the environment.
 */
async function theirWatchingChannels(deps: ListenerDeps, userId: string): Promise<string[]> {
  const visible = await watchedVisibleTo(deps, userId);
  if (visible.unknown) throw new Error("Slack did not list the person's channels");
  return visible.channels;
}
