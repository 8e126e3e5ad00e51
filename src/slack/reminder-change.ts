import { z } from 'zod';
import type { ChangeRequest, Requester } from '../domain/change-request.js';
import { auditComment } from '../domain/comment.js';
import { targetLabel } from '../domain/targets.js';
import type { Timing } from '../domain/timing.js';
import type { Verb } from '../domain/vocabulary.js';
import { backoff, type JobResult, MAX_ATTEMPTS } from '../work/worker.js';
import { type ChangeJob, privateAnswer, RETRYING } from './announce.js';
import { escapeMrkdwn } from './blocks/mrkdwn.js';
import { reminderDone, reminderDoneMessage } from './blocks/reminder.js';
import type { Message } from './blocks/result.js';
import { textMessage } from './blocks/text.js';
import type { ListenerDeps } from './context.js';
import { type HomeDeps, publishHome } from './home.js';
import { followInMirror, type RemindedExpiry } from './watched-reminders.js';

/**
 * Where such a change was asked: a reminder (updated in place), an after-expiry message (answered
 * in its thread: the message speaks for several targets) or the Home tab (published again).
 */
export const askedFromSchema = z.enum(['reminder', 'passed', 'home']);
export type AskedFrom = z.infer<typeof askedFromSchema>;

/**
 * How a change done from `from` is shown there. A watched environment's reminder is grouped: it
 * keeps the other targets' buttons, so what was done goes in its thread instead.
 */
export function showDone(
  from: AskedFrom,
  message: { channel: string; ts: string } | undefined,
  who: string,
  deps: HomeDeps,
): (expiry: RemindedExpiry, done: string) => Promise<unknown> {
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
 * A change asked for on a reminder (Cancel expiry, Remove now, the Extend form), as a job: the same
 * use case as every change, the click itself being the confirmation. Done, the reminder says what
 * was done and by whom; anything else is told to the person who clicked. A transient failure is
 * retried (told once); 'failed' lets the person click again.
 */
export async function changeFromReminder(
  expiry: RemindedExpiry,
  verb: Verb,
  timing: Timing,
  ctx: {
    who: Requester;
    /** Shows the change done where it was asked: the reminder updated, a thread reply, the Home tab refreshed. */
    done: (expiry: RemindedExpiry, done: string) => Promise<unknown>;
    /** The message the change was asked from, if any (not on the Home tab). */
    message?: { channel: string; ts: string };
    tell: (message: Message) => Promise<unknown>;
    deps: ListenerDeps;
    job: ChangeJob;
  },
): Promise<JobResult> {
  const request: ChangeRequest = {
    verb,
    resource: expiry.resource,
    targets: [expiry.target],
    ...timing,
    targetType: expiry.targetType ?? 'included',
    grant: false,
    comment: auditComment(
      ctx.who,
      `reminder: ${verb} ${targetLabel(expiry.target)} on ${expiry.resource.kind} ${expiry.resource.key}`,
    ),
  };
  const { job } = ctx;
  const outcome = await ctx.deps.changes.request(
    {
      who: ctx.who,
      request,
      confirmed: true,
      // A watched expiry becomes the clicker's, threaded under the reminder it was changed from.
      provenance: expiry.watched
        ? {
            requestedBy: ctx.who.userId,
            channelId: ctx.message?.channel ?? ctx.who.channelId,
            messageTs: ctx.message?.ts,
          }
        : { requestedBy: expiry.requestedBy, channelId: expiry.channelId, messageTs: expiry.messageTs },
    },
    {
      resumed: job.notes.planned,
      onPlan: job.notes.planned ? undefined : (planned) => job.note({ planned }),
    },
  );
  if (outcome.kind === 'applied') {
    const result = outcome.result.results[0]!;
    if (!result.ok) {
      await ctx.tell(textMessage(`:x: ${escapeMrkdwn(result.message ?? 'failed')}`));
      return 'failed';
    }
    const done = reminderDone(verb, result.expiresAt);
    if (expiry.watched) {
      const gone = verb === 'remove' || verb === 'revoke';
      await followInMirror(expiry, gone ? undefined : result.expiresAt, ctx.who.userId, ctx.deps);
    }
    await ctx.done(expiry, done);
    if (outcome.warning) await ctx.tell(textMessage(`:warning: ${escapeMrkdwn(outcome.warning)}`));
    return 'done';
  }
  if (outcome.kind === 'failed' && outcome.transient && job.attempt < MAX_ATTEMPTS) {
    const retryInMs = backoff(job.attempt);
    if (!job.notes.toldRetry) {
      await ctx.tell(textMessage(RETRYING(retryInMs, job.attempt)));
      await job.note({ toldRetry: true });
    }
    return { retryInMs };
  }
  const answer =
    outcome.kind === 'failed' ? textMessage(`:x: ${escapeMrkdwn(outcome.message)}`) : privateAnswer(outcome);
  if (answer) await ctx.tell(answer);
  return 'failed';
}
