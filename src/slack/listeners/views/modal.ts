import { z } from 'zod';
import { changeRequestSchema, requesterSchema } from '../../../domain/change-request.js';
import { parseJson } from '../../../domain/json.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { announceChange, answering, changeJob, SOMETHING_WENT_WRONG, WAITING } from '../../announce.js';
import { confirmView } from '../../blocks/safety.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import { MODAL } from '../../ids.js';
import { checkSubmission, MODAL_ERRORS } from '../../modal-submission.js';
import { modalMetadata, readModalState } from '../../parse/modal.js';
import type { Router, ViewArgs } from '../../router.js';
import { takeOn } from '../../submit.js';
import { surfaceFor } from '../../surfaces.js';

const payloadSchema = z.object({ who: requesterSchema, request: changeRequestSchema });

/** Submission of the `/expire` form: problems inline on their fields, then the same change as the command. */
export function registerModal(router: Router, deps: ListenerDeps): void {
  // The form stays open and says so: the person can submit again.
  router.view(MODAL.callbackId, (args) => submit(args, deps), {
    what: 'the form',
    logger: deps.logger,
    answer: (args) =>
      args.ack({ response_action: 'errors', errors: { [MODAL.blocks.targets]: SOMETHING_WENT_WRONG } }),
  });
}

async function submit({ ack, view, body, client }: ViewArgs, deps: ListenerDeps): Promise<void> {
  const meta = parseJson(modalMetadata, view.private_metadata);
  if (!meta) {
    await ack({ response_action: 'errors', errors: { [MODAL.blocks.targets]: MODAL_ERRORS.stale } });
    return;
  }
  const who = {
    userId: body.user.id,
    userName: body.user.name,
    teamDomain: body.team?.domain,
    channelId: meta.channel,
  };
  const checked = await checkSubmission(readModalState(view.state.values), { client, who, deps });
  if (!checked.ok) {
    await ack({ response_action: 'errors', errors: checked.errors });
    return;
  }
  if (checked.confirmationId) {
    await ack({ response_action: 'push', view: confirmView(checked.confirmationId, checked.request) });
    return;
  }
  // The same submission delivered twice is one job.
  const refused = await takeOn(deps, JOB_KINDS.form, `view:${view.id}:${view.hash}`, {
    who,
    request: checked.request,
  });
  if (refused) {
    await ack({ response_action: 'errors', errors: { [MODAL.blocks.targets]: refused } });
    return;
  }
  await ack();
}

/** No response_url comes with a form: the person hears privately by DM. */
const surfaceOf = (who: { userId: string; channelId: string }, deps: ListenerDeps) =>
  surfaceFor({ userId: who.userId, channel: who.channelId }, deps);

export function formJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      const ask = payloadSchema.parse(job.payload);
      const surface = surfaceOf(ask.who, deps);
      return answering(surface, deps.logger, job.attempt, () =>
        announceChange(
          ask.request,
          (options) => deps.changes.request({ ...ask, confirmed: true, hold: { id: job.id } }, options),
          surface,
          deps,
          changeJob(job, ctx),
        ),
      );
    },
    async waiting(job, ahead) {
      const { who } = payloadSchema.parse(job.payload);
      await surfaceOf(who, deps).tell(textMessage(WAITING(ahead)));
    },
  };
}
