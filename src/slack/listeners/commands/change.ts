import { z } from 'zod';
import type { ChangeRequest } from '../../../domain/change-request.js';
import { auditComment } from '../../../domain/comment.js';
import { readTiming } from '../../../domain/timing.js';
import { VERBS, type Verb } from '../../../domain/vocabulary.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind } from '../../../work/worker.js';
import { announceChange, answering, changeJob, WAITING } from '../../announce.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { workingMessage } from '../../blocks/result.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import { type Command, commandResource, parseCommand } from '../../parse/command.js';
import { takeOn } from '../../submit.js';
import type { CommandArgs } from './args.js';
import { askedOf, askedSchema, commandSurface, requesterOf } from './asker.js';

/** What a command's job keeps of the slash command: enough to do the work in any process. */
const payloadSchema = askedSchema.extend({
  command: z.string(),
  text: z.string(),
  /** When it was asked: "in 2 weeks" counts from then, however late the work runs. */
  asked_at: z.number(),
});
type Payload = z.infer<typeof payloadSchema>;

/**
 * A change by command (add, update, extend, remove): written down as a job, then acked with
 * "working on it" — or with why it was not taken on. A redelivered command (same trigger) finds
 * its job there already and is done once.
 */
export async function runChange(
  c: Extract<Command, { verb: Verb }>,
  { ack, command }: CommandArgs,
  deps: ListenerDeps,
): Promise<void> {
  const payload: Payload = {
    command: command.command,
    text: command.text,
    ...askedOf(command),
    asked_at: deps.now().getTime(),
  };
  const refused = await takeOn(deps, JOB_KINDS.command, `command:${command.trigger_id}`, payload);
  await ack({
    response_type: 'ephemeral',
    text: refused ?? workingMessage(c.verb, c.resource, c.key, c.targets.length),
  });
}

/** The work behind a change command: read the time in the person's zone, then the one change path. */
export function commandJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      const p = payloadSchema.parse(job.payload);
      const parsed = parseCommand(p.text);
      if (!parsed.ok || !(parsed.command.verb in VERBS)) return 'done';
      const c = parsed.command as Extract<Command, { verb: Verb }>;
      const surface = commandSurface(p, deps);
      return answering(surface, deps.logger, job.attempt, async () => {
        const timeZone =
          VERBS[c.verb].takes === 'nothing' ? 'UTC' : await deps.timeZones.of(deps.slack, p.user_id);
        const timing = readTiming(c.verb, c.when, { now: new Date(p.asked_at), timeZone });
        if (!timing.ok) {
          await surface.tell(
            textMessage(`:x: ${escapeMrkdwn(timing.problem)} Nothing was sent to LaunchDarkly.`),
          );
          return 'done';
        }
        const who = requesterOf(p);
        const request: ChangeRequest = {
          verb: c.verb,
          resource: commandResource(c, deps.defaults),
          targets: c.targets,
          ...timing.timing,
          variation: c.options.variation,
          targetType: c.options.excluded ? 'excluded' : 'included',
          grant: c.options.grant,
          ...(c.when ? { words: c.when.slice(0, 200) } : {}),
          ...(c.options.reason ? { reason: c.options.reason } : {}),
          comment: auditComment(who, `${p.command} ${p.text}`),
        };
        return announceChange(
          request,
          (options) => deps.changes.request({ who, request, hold: { id: job.id } }, options),
          surface,
          deps,
          changeJob(job, ctx),
        );
      });
    },
    async waiting(job, ahead) {
      await commandSurface(payloadSchema.parse(job.payload), deps).tell(textMessage(WAITING(ahead)));
    },
  };
}
