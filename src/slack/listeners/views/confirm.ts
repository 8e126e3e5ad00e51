import { z } from 'zod';
import { changeRequestSchema, requesterSchema } from '../../../domain/change-request.js';
import { parseJson } from '../../../domain/json.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { announceChange, answering, changeJob, privateAnswer, SOMETHING_WENT_WRONG } from '../../announce.js';
import { noticeView, SAFETY_MESSAGES } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { VIEWS } from '../../ids.js';
import type { Router, ViewArgs } from '../../router.js';
import { takeOn } from '../../submit.js';
import { surfaceFor } from '../../surfaces.js';

const metadata = z.object({ id: z.string().uuid() });
const payloadSchema = z.object({ id: z.string(), who: requesterSchema, request: changeRequestSchema });

/** The form's confirmation step for a protected environment: Confirm closes every view and applies. */
export function registerConfirm(router: Router, deps: ListenerDeps): void {
  router.view(VIEWS.confirm, (args) => confirm(args, deps), {
    what: 'a confirmation',
    logger: deps.logger,
    answer: (args) => args.ack({ response_action: 'update', view: noticeView(SOMETHING_WENT_WRONG) }),
  });
}

async function confirm({ ack, view, body }: ViewArgs, deps: ListenerDeps): Promise<void> {
  const meta = parseJson(metadata, view.private_metadata);
  const claim = meta ? await deps.changes.claim(meta.id, body.user.id, 'confirmed') : undefined;
  if (!claim || !('who' in claim)) {
    const notice = (claim && privateAnswer(claim)?.text) ?? SAFETY_MESSAGES.expired;
    await ack({ response_action: 'update', view: noticeView(notice) });
    return;
  }
  const refused = await takeOn(deps, JOB_KINDS.confirmedForm, `confirm:${meta!.id}`, {
    id: meta!.id,
    ...claim,
  });
  if (refused) {
    await deps.changes.reopen(meta!.id);
    await ack({ response_action: 'update', view: noticeView(refused) });
    return;
  }
  await ack({ response_action: 'clear' });
}

export function confirmedFormJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      const { id, ...ask } = payloadSchema.parse(job.payload);
      // No response_url comes with a view: the person hears privately by DM.
      const surface = surfaceFor({ userId: ask.who.userId, channel: ask.who.channelId }, deps);
      const result = await answering(surface, deps.logger, job.attempt, () =>
        announceChange(
          ask.request,
          // The policy is asked again: it may have stopped allowing this person since the question.
          (options) => deps.changes.request({ ...ask, confirmed: true }, options),
          surface,
          deps,
          changeJob(job, ctx),
        ),
      );
      // A change that failed gives its confirmation back, so Confirm can be clicked again.
      if (result === 'failed') await deps.changes.reopen(id);
      return result;
    },
  };
}
