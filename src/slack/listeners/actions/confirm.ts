import type { BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { ChangeAsk } from '../../../services/request-change.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { announceChange, answering, changeJob, privateAnswer } from '../../announce.js';
import { confirmMessage, SAFETY_MESSAGES } from '../../blocks/safety.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import { ACTIONS } from '../../ids.js';
import type { Router } from '../../router.js';
import { takeOnClick } from '../../submit.js';
import { surfaceFor } from '../../surfaces.js';

const payloadSchema = z.object({
  id: z.string(),
  userId: z.string(),
  channel: z.string(),
  responseUrl: z.string().optional(),
});

/**
 * Confirm under the ephemeral question for a protected environment: the held change is applied if
 * the change policy still allows its asker.
 */
export function registerConfirm(router: Router, deps: ListenerDeps): void {
  router.action<BlockAction<ButtonAction>>(ACTIONS.confirm, async (click) => {
    const { action, body } = click;
    const id = action.value ?? '';
    // One job per click (a redelivered click is the same job); the confirmation itself is used once.
    await takeOnClick(click, deps, {
      kind: JOB_KINDS.confirmed,
      id: `confirm:${id}:${body.user.id}:${action.action_ts}`,
      payload: {
        id,
        userId: body.user.id,
        channel: body.channel?.id ?? body.user.id,
        responseUrl: body.response_url,
      },
    });
  });
}

export function confirmedJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      const p = payloadSchema.parse(job.payload);
      const surface = surfaceFor({ userId: p.userId, channel: p.channel, responseUrl: p.responseUrl }, deps);
      return answering(surface, deps.logger, job.attempt, async () => {
        // Claimed once; a resumed job finds the change it claimed in its notes.
        let ask = job.notes.ask as ChangeAsk | undefined;
        if (!ask) {
          const claim = await deps.changes.claim(p.id, p.userId, 'confirmed');
          if (!('who' in claim)) {
            await surface.tell(privateAnswer(claim)!);
            return 'done';
          }
          ask = claim;
          await ctx.note({ ask });
          await surface.replace(textMessage(SAFETY_MESSAGES.confirmed));
        }
        const result = await announceChange(
          ask.request,
          // The policy is asked again: it may have stopped allowing this person since the question.
          (options) => deps.changes.request({ ...ask!, hold: { id: job.id } }, options),
          { ...surface, channel: ask.who.channelId },
          deps,
          changeJob(job, ctx),
        );
        if (result === 'failed') {
          // The confirmation is given back, and the question with it: Confirm can be clicked again.
          await deps.changes.reopen(p.id);
          await surface.tell(confirmMessage(p.id, ask.request));
        }
        return result;
      });
    },
  };
}
