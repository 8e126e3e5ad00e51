import { z } from 'zod';
import { parseJson } from '../../../domain/json.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import { SOMETHING_WENT_WRONG } from '../../announce.js';
import { APPROVAL_REFUSALS } from '../../blocks/approval.js';
import { noticeView } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { BLOCKS, INPUTS, VIEWS } from '../../ids.js';
import type { Router } from '../../router.js';
import { takeOn } from '../../submit.js';
import type { DecisionPayload } from '../actions/approval-buttons.js';

const metadata = z.object({ id: z.string().max(64), home: z.boolean().optional() });

/**
 * Decline's form, submitted: the decision (with its optional reason) is written down as a job, one
 * per form, and the form closes; who may decline is checked by the job, and a refusal is told by DM
 * (a form has no response_url).
 */
export function registerDecline(router: Router, deps: ListenerDeps): void {
  router.view(
    VIEWS.decline,
    async ({ ack, view, body }) => {
      const meta = parseJson(metadata, view.private_metadata);
      if (!meta) return await ack({ response_action: 'update', view: noticeView(APPROVAL_REFUSALS.gone) });
      const reason = view.state.values[BLOCKS.declineReason]?.[INPUTS.declineReason]?.value ?? undefined;
      const payload: DecisionPayload = {
        id: meta.id,
        action: 'decline',
        who: {
          userId: body.user.id,
          userName: body.user.name,
          teamDomain: body.team?.domain,
          channelId: body.user.id,
        },
        ...(reason?.trim() ? { reason: reason.trim().slice(0, 500) } : {}),
        ...(meta.home ? { home: true } : {}),
      };
      // Keyed by the form too (each Decline click opens one): a refused Decline (Slack could not
      // say who is in the approvers' group) does not swallow the same person's next one.
      const refused = await takeOn(
        deps,
        JOB_KINDS.approvalDecision,
        `decline:${meta.id}:${body.user.id}:${view.id}`,
        payload,
      );
      await ack(refused ? { response_action: 'update', view: noticeView(refused) } : undefined);
    },
    {
      what: 'a Decline',
      logger: deps.logger,
      answer: ({ ack }) => ack({ response_action: 'update', view: noticeView(SOMETHING_WENT_WRONG) }),
    },
  );
}
