import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../domain/change-request.js';
import type { Logger } from '../log.js';
import { LinkRequiredError } from '../services/acting.js';
import type { ApplyOptions, PlannedTargets } from '../services/apply-change.js';
import type { Approvals } from '../services/approvals.js';
import type { ChangeOutcome, Changes } from '../services/request-change.js';
import type { Job } from '../store/job-store.js';
import { backoff, type JobContext, type JobResult, MAX_ATTEMPTS } from '../work/worker.js';
import { announceApproval } from './approval-messages.js';
import { failedMessage, type Message, progressMessage, resultMessage } from './blocks/result.js';
import { confirmMessage, SAFETY_MESSAGES } from './blocks/safety.js';
import { textMessage } from './blocks/text.js';
import { findMarked, jobMark, postOrDm, threadOf, trackProgress } from './reply.js';
import type { Surface } from './surfaces.js';

export const SOMETHING_WENT_WRONG = `:x: Something went wrong on my side; the details are in my log. Check with /expire list before trying again.`;

export const BUSY =
  ':no_entry: Too many requests are waiting for LaunchDarkly right now, so I did not take yours. Try again in a few minutes; nothing was sent.';

export const TAKE_ON_FAILED =
  ':x: I could not write your request down (my database is not answering), so I did not take it on. Nothing was sent to LaunchDarkly; try again in a minute.';

/** The store refuses writes: trying again does not help until whoever runs the bot fixes it. */
export const TAKE_ON_READ_ONLY = (why: string) =>
  `:x: I could not write your request down because ${why}, so I did not take it on. Nothing was sent to LaunchDarkly; tell whoever runs me, as trying again will not help until my database takes writes.`;

export const WAITING = (ahead: number) =>
  ahead === 0
    ? ':hourglass: Yours is next in line; I will get to it shortly.'
    : `:hourglass: ${ahead} ${ahead === 1 ? 'request is' : 'requests are'} ahead of yours; I will get to it shortly.`;

/**
 * Runs a job's `work` for a person. Whatever goes wrong unexpectedly (a store or Slack failure) is
 * logged and retried; when the last try fails too, the person is told in words.
 */
export async function answering(
  surface: Pick<Surface, 'tell'>,
  logger: Logger,
  attempt: number,
  work: () => Promise<JobResult>,
): Promise<JobResult> {
  // A job that keeps ending its process (or its worker) is not run forever.
  if (attempt > MAX_ATTEMPTS) {
    await surface.tell(textMessage(SOMETHING_WENT_WRONG));
    return 'failed';
  }
  try {
    return await work();
  } catch (error) {
    // Not a failure: the change waits for its person to link (`link-hold.ts`).
    if (error instanceof LinkRequiredError) throw error;
    logger.error({ err: error, attempt }, 'work behind an ack failed');
    if (attempt < MAX_ATTEMPTS) return { retryInMs: backoff(attempt) };
    await surface.tell(textMessage(SOMETHING_WENT_WRONG)).catch((tellError: unknown) => {
      logger.warn({ err: tellError }, 'could not tell the person either');
    });
    return 'failed';
  }
}

/** What only the asker needs to see: a refusal, a question, a confirmation gone stale. */
export function privateAnswer(outcome: ChangeOutcome): Message | undefined {
  switch (outcome.kind) {
    case 'refused':
      return textMessage(SAFETY_MESSAGES.refused(outcome.resource, outcome.rule));
    case 'needs-confirmation':
      return confirmMessage(outcome.confirmationId, outcome.request);
    case 'unconfirmable':
      return textMessage(
        outcome.reason === 'expired' ? SAFETY_MESSAGES.expired : SAFETY_MESSAGES.notYours(outcome.owner),
      );
    default:
      return undefined;
  }
}

/** What a change's job writes down as it goes, for whoever resumes it. */
export interface ChangeNotes {
  /** The progress message in the channel, once posted: a resumed job finishes it. */
  progressTs?: string;
  /** What each target is to become, written before LaunchDarkly is changed. */
  planned?: PlannedTargets;
  /** The id a change held for approval was held under (clicks: one of its own). */
  holdId?: string;
  /** The person was told the work waits for LaunchDarkly to come back. */
  toldRetry?: boolean;
  /** The person was told another person's click on the same button goes first. */
  toldTurn?: boolean;
  /** The result is in the channel: a resumed job does not post it again. */
  resultTs?: string;
  /**
   * A message of this job may be in the channel (noted before the first post): a resumed job
   * that has no ts above looks for it by its mark before posting anything.
   */
  posting?: boolean;
}

export const RETRYING = (inMs: number, attempt: number) =>
  `:hourglass: LaunchDarkly could not take the change just now; I will try again in ${Math.round(inMs / 1_000)} s (try ${attempt + 1} of ${MAX_ATTEMPTS}). Nothing needs doing on your side.`;

/** A transient failure (an outage, a rate limit) is tried again while tries are left. */
export const retries = (outcome: ChangeOutcome, job: Pick<ChangeJob, 'attempt'>) =>
  outcome.kind === 'failed' && outcome.transient === true && job.attempt < MAX_ATTEMPTS;

/** Tries the change again after a back-off; the person is told once, on the first. */
export async function retryLater(
  job: ChangeJob,
  tell: (message: Message) => Promise<unknown>,
): Promise<JobResult> {
  const retryInMs = backoff(job.attempt);
  if (!job.notes.toldRetry) {
    await tell(textMessage(RETRYING(retryInMs, job.attempt)));
    await job.note({ toldRetry: true });
  }
  return { retryInMs };
}

/**
 * A change asked for where its result is news for the channel (the command, the form, Confirm),
 * run as a durable job: progress while long work runs, then the result — or why nothing was done —
 * for everyone, with reminders threaded under it; refusals and questions go to the asker alone. A
 * transient failure is retried (the person is told once); a resumed job finishes the progress
 * message it started and the change it planned. 'failed' lets the same request be made again.
 */
export async function announceChange(
  request: ChangeRequest,
  run: (options: ApplyOptions) => Promise<ChangeOutcome>,
  surface: Surface,
  deps: { changes: Changes; approvals: Approvals; logger: Logger; progressAfterMs: number },
  job: ChangeJob,
): Promise<JobResult> {
  const to = {
    client: surface.client,
    channel: surface.channel,
    logger: deps.logger,
    fallback: surface.fallback,
  };
  const mark = jobMark(job.id);
  let postedTs = job.notes.progressTs;
  let posting = job.notes.posting === true;
  // Killed between Slack's answer and the note of it: the message is there, found by its mark.
  if (!postedTs && !job.notes.resultTs && job.notes.posting) {
    postedTs = await findMarked(to, mark);
    if (postedTs) await job.note({ progressTs: postedTs });
  }
  const progress = trackProgress(to, (done) => progressMessage(request, done), {
    // Counted from when it was asked: a change that waited its turn shows progress as it starts.
    afterMs: Math.max(0, deps.progressAfterMs - (Date.now() - job.createdAt)),
    postedTs,
    onPosted: (ts) => job.note({ progressTs: ts }),
    mark: {
      mark,
      beforePost: async () => {
        if (posting) return;
        posting = true;
        await job.note({ posting });
      },
    },
  });
  let outcome: ChangeOutcome;
  try {
    outcome = await run({
      onProgress: (p) => progress.update(p.done),
      resumed: job.notes.planned,
      onPlan: job.notes.planned ? undefined : (planned) => job.note({ planned }),
      final: job.attempt >= MAX_ATTEMPTS,
    });
  } catch (error) {
    // Retried as a whole: no progress message of this try may linger.
    await progress.pause();
    throw error;
  }
  if (outcome.kind === 'applied') {
    let ts = job.notes.resultTs;
    if (!ts) {
      ts = (await progress.finish(resultMessage(outcome.result, surface.userId, outcome.warning))).ts;
      if (ts) await job.note({ resultTs: ts });
    } else {
      await progress.pause();
    }
    if (ts) await deps.changes.thread(outcome.result, surface.channel, ts);
    return 'done';
  }
  if (retries(outcome, job)) {
    await progress.pause();
    return retryLater(job, surface.tell);
  }
  if (outcome.kind === 'failed') {
    await progress.finish(failedMessage(outcome.request, outcome.message, surface.userId));
    return 'failed';
  }
  await progress.cancel();
  if (outcome.kind === 'needs-approval') {
    await announceApproval(outcome.approval, surface, deps, job.attempt > 1);
    return 'done';
  }
  const answer = privateAnswer(outcome);
  if (answer) await surface.tell(answer);
  return 'done';
}

/** The job a change runs in: its id, attempt, its notes, and how to add to them. */
export interface ChangeJob {
  id: string;
  attempt: number;
  /** When it was written down (Unix ms): when the person asked. */
  createdAt: number;
  notes: ChangeNotes;
  note: JobContext['note'];
}

export function changeJob(job: Job, ctx: JobContext): ChangeJob {
  return {
    id: job.id,
    attempt: job.attempt,
    createdAt: job.createdAt,
    notes: job.notes as ChangeNotes,
    note: ctx.note,
  };
}

/**
 * A job's one message in a request's thread (its channel, under `messageTs`), or to `userId` when
 * that channel no longer takes the bot's messages: noted once posted, so a resumed job does not
 * post it again. Slack failing otherwise throws (the job is tried again). Returns the ts.
 */
export async function sayOnceInThread(
  job: ChangeJob,
  deps: { slack: Pick<WebClient, 'chat'>; logger: Logger },
  to: { channelId: string; messageTs?: string; userId: string },
  message: Message,
): Promise<string | undefined> {
  if (job.notes.resultTs) return job.notes.resultTs;
  const posted = await postOrDm(deps.slack, threadOf(to), to.userId, message, deps.logger);
  if (posted === 'retry') throw new Error('Slack did not take a job message');
  const ts = posted === 'lost' ? undefined : posted.ts;
  if (ts) await job.note({ resultTs: ts });
  return ts;
}
