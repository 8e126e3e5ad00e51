import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../domain/change-request.js';
import type { PatchProgress } from '../launchdarkly/client.js';
import type { Logger } from '../log.js';
import type { ChangeOutcome, Changes } from '../services/request-change.js';
import { failedMessage, type Message, progressMessage, resultMessage } from './blocks/result.js';
import { confirmMessage, SAFETY_MESSAGES } from './blocks/safety.js';
import { textMessage } from './blocks/text.js';
import { trackProgress } from './reply.js';

/** Where a surface answers the person who asked. */
export interface Surface {
  client: WebClient;
  /** The channel the change was asked in: results are announced there. */
  channel: string;
  userId: string;
  /** Only the asker sees it: an ephemeral answer through the response_url, or a DM. */
  tell: (message: Message) => Promise<unknown>;
  /** Where the channel refuses the bot: the response_url, or a DM. */
  fallback: (message: Message) => Promise<unknown>;
}

export const SOMETHING_WENT_WRONG = `:x: Something went wrong on my side; the details are in my log. Check with /expire list before trying again.`;

/**
 * Runs `work` for a person; whatever goes wrong unexpectedly (a store or Slack failure) is logged
 * once and told to them in words. Returns what `work` says (settled or not), false on a failure.
 */
export async function answering(
  surface: Pick<Surface, 'tell'>,
  logger: Logger,
  work: () => Promise<boolean>,
): Promise<boolean> {
  try {
    return await work();
  } catch (error) {
    logger.error({ err: error }, 'work behind an ack failed');
    await surface.tell(textMessage(SOMETHING_WENT_WRONG)).catch((tellError: unknown) => {
      logger.warn({ err: tellError }, 'could not tell the person either');
    });
    return false;
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

/**
 * A change asked for where its result is news for the channel (the command, the form, Confirm):
 * progress while long work runs, then the result — or why nothing was done — for everyone, with
 * reminders threaded under it; refusals and questions go to the asker alone. True when the request
 * is settled; false when it failed and may simply be tried again.
 */
export async function announceChange(
  request: ChangeRequest,
  run: (onProgress: (p: PatchProgress) => void) => Promise<ChangeOutcome>,
  surface: Surface,
  deps: { changes: Changes; logger: Logger; progressAfterMs: number },
): Promise<boolean> {
  const progress = trackProgress(
    { client: surface.client, channel: surface.channel, logger: deps.logger, fallback: surface.fallback },
    (done) => progressMessage(request, done),
    { afterMs: deps.progressAfterMs },
  );
  const outcome = await run((p) => progress.update(p.done));
  if (outcome.kind === 'applied') {
    const { ts } = await progress.finish(resultMessage(outcome.result, surface.userId, outcome.warning));
    if (ts) await deps.changes.thread(outcome.result, surface.channel, ts);
    return true;
  }
  if (outcome.kind === 'failed') {
    await progress.finish(failedMessage(outcome.request, outcome.message, surface.userId));
    return false;
  }
  await progress.cancel();
  const answer = privateAnswer(outcome);
  if (answer) await surface.tell(answer);
  return true;
}
