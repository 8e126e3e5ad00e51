import type { BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { requesterSchema } from '../../../domain/change-request.js';
import { EXPIRY_VERBS, VERB_NAMES, VERBS } from '../../../domain/vocabulary.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { answering, changeJob } from '../../announce.js';
import { HOME_STALE } from '../../blocks/home.js';
import { textMessage } from '../../blocks/text.js';
import { clicker, clickJobId, loadPassed, loadReminded, waitForTurn } from '../../clicks.js';
import type { ListenerDeps } from '../../context.js';
import { askedFromSchema, clickedChange } from '../../expiry-clicks.js';
import { publishHome } from '../../home.js';
import { ACTIONS, reminderActionOf } from '../../ids.js';
import type { Router } from '../../router.js';
import { takeOnClick } from '../../submit.js';
import { surfaceFor } from '../../surfaces.js';

/** A reminder's buttons for the verbs done at once, and an after-expiry message's Remove now. */
const BUTTONS = [
  ...EXPIRY_VERBS.map((verb) => ({ actionId: reminderActionOf(verb), verb, from: 'reminder' as const })),
  {
    actionId: ACTIONS.passedRemoveNow,
    verb: VERB_NAMES.find((v) => VERBS[v].revokes)!,
    from: 'passed' as const,
  },
];

/** Also what the Home tab's Cancel expiry and Remove now submit (`from: 'home'`, no message). */
export const reminderButtonPayload = z.object({
  verb: z.enum(EXPIRY_VERBS),
  value: z.string().optional(),
  who: requesterSchema,
  /** Absent in jobs written before Home and after-expiry messages existed: a reminder. */
  from: askedFromSchema.default('reminder'),
  message: z.object({ channel: z.string(), ts: z.string() }).optional(),
  responseUrl: z.string().optional(),
});
export type ReminderButtonPayload = z.input<typeof reminderButtonPayload>;

const clickerOf = (payload: unknown) => reminderButtonPayload.safeParse(payload).data?.who.userId;

/**
 * Cancel expiry and Remove now on a reminder, and Remove now on an after-expiry message: done at
 * once, once per click; clicks by several people on one expiry take turns (`waitForTurn`).
 */
export function registerReminderButtons(router: Router, deps: ListenerDeps): void {
  for (const { actionId, verb, from } of BUTTONS) {
    router.action<BlockAction<ButtonAction>>(actionId, async (click) => {
      const { action, body } = click;
      // A double click (or a redelivered click) is one job; another person's click is their own;
      // a click that failed can be tried again.
      await takeOnClick(click, deps, {
        kind: JOB_KINDS.reminderButton,
        id: clickJobId(action.value ?? '', from, verb, body.user.id),
        payload: {
          verb,
          value: action.value,
          who: clicker(body),
          from,
          message: { channel: body.channel!.id, ts: body.message!.ts },
          responseUrl: body.response_url,
        } satisfies ReminderButtonPayload,
      });
    });
  }
}

export function reminderButtonJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      const p = reminderButtonPayload.parse(job.payload);
      const { tell } = surfaceFor(
        { userId: p.who.userId, channel: p.who.channelId, responseUrl: p.responseUrl },
        deps,
      );
      return answering({ tell }, deps.logger, job.attempt, async () => {
        const turn = await waitForTurn(p.value ?? '', changeJob(job, ctx), clickerOf, { ...deps, tell });
        if (turn) return turn;
        const expiry = p.from === 'passed' ? loadPassed(p.value) : await loadReminded(p.value, deps);
        if (!expiry.ok) {
          // What the Home tab showed is out of date: show what is.
          if (p.from === 'home') await publishHome(deps, p.who.userId);
          await tell(textMessage(p.from === 'home' ? HOME_STALE : expiry.message));
          return 'done';
        }
        return clickedChange(
          expiry.expiry,
          p.verb,
          {},
          {
            who: p.who,
            from: p.from,
            message: p.message,
            tell,
            deps,
            job: changeJob(job, ctx),
          },
        );
      });
    },
  };
}
