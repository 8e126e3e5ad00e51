import { z } from 'zod';
import { requesterSchema } from '../../../domain/change-request.js';
import { parseJson } from '../../../domain/json.js';
import { parseWhen } from '../../../domain/when.js';
import { findExpiry } from '../../../services/expiry-change.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { answering, changeJob, SOMETHING_WENT_WRONG } from '../../announce.js';
import type { ListenerDeps } from '../../context.js';
import { askedFromSchema, clickedChange } from '../../expiry-clicks.js';
import { BLOCKS, INPUTS, VIEWS } from '../../ids.js';
import { extendMetadata } from '../../parse/reminder.js';
import type { Router, ViewArgs } from '../../router.js';
import { takeOn } from '../../submit.js';
import { surfaceFor } from '../../surfaces.js';

export const STALE_FORM =
  'This form is out of date: the expiry changed meanwhile. Close it and use /expire list.';

const payloadSchema = z.object({
  expiryId: z.string(),
  at: z.number(),
  expiresAt: z.number(),
  who: requesterSchema,
  /** The reminder to update; absent when Extend was chosen on the Home tab. */
  message: z.object({ channel: z.string(), ts: z.string() }).optional(),
  from: askedFromSchema.default('reminder'),
  /** The new time as typed, for approvers. */
  words: z.string().max(200).optional(),
});

/** The Extend form of a reminder: bad times are shown on the field; a good one moves the expiry after the ack. */
export function registerExtend(router: Router, deps: ListenerDeps): void {
  const error = (ack: ViewArgs['ack'], text: string) =>
    ack({ response_action: 'errors', errors: { [BLOCKS.extendWhen]: text } });
  router.view(
    VIEWS.extend,
    async ({ ack, view, body, client }) => {
      const meta = parseJson(extendMetadata, view.private_metadata);
      const expiry = meta && (await findExpiry(meta.id, deps));
      if (!meta || !expiry || expiry.expiresAt !== meta.at) return await error(ack, STALE_FORM);
      const text = view.state.values[BLOCKS.extendWhen]?.[INPUTS.extendWhen]?.value ?? '';
      const timeZone = await deps.timeZones.of(client, body.user.id);
      const when = parseWhen(text, { now: deps.now(), timeZone });
      if (!when.ok) return await error(ack, when.reason.slice(0, 2000));
      const who = {
        userId: body.user.id,
        userName: body.user.name,
        teamDomain: body.team?.domain,
        channelId: meta.channel ?? body.user.id,
      };
      const refused = await takeOn(deps, JOB_KINDS.extend, `view:${view.id}:${view.hash}`, {
        expiryId: expiry.id,
        at: meta.at,
        expiresAt: when.ms,
        who,
        ...(meta.channel && meta.ts ? { message: { channel: meta.channel, ts: meta.ts } } : {}),
        from: meta.home ? 'home' : 'reminder',
        words: text.slice(0, 200),
      });
      if (refused) return await error(ack, refused);
      await ack();
    },
    { what: 'the Extend form', logger: deps.logger, answer: ({ ack }) => error(ack, SOMETHING_WENT_WRONG) },
  );
}

export function extendJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      const p = payloadSchema.parse(job.payload);
      const { tell } = surfaceFor(
        { userId: p.who.userId, channel: p.who.channelId, ephemeralIn: p.message?.channel },
        deps,
      );
      return answering({ tell }, deps.logger, job.attempt, async () => {
        const expiry = await findExpiry(p.expiryId, deps);
        // Moved by someone else meanwhile, or this very job's change was applied before a crash.
        if (!expiry || (expiry.expiresAt !== p.at && expiry.expiresAt !== p.expiresAt)) return 'done';
        return clickedChange(
          expiry,
          'update',
          { expiresAt: p.expiresAt },
          {
            who: p.who,
            from: p.from,
            message: p.message,
            words: p.words,
            tell,
            deps,
            job: changeJob(job, ctx),
          },
        );
      });
    },
  };
}
