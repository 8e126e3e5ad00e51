import { z } from 'zod';
import type { EnvironmentRef } from '../../../domain/watch.js';
import { startWatch } from '../../../services/watch.js';
import { JOB_KINDS } from '../../../work/kinds.js';
import type { JobKind, JobResult } from '../../../work/worker.js';
import { answering, privateAnswer } from '../../announce.js';
import { textMessage } from '../../blocks/text.js';
import { WATCH_MESSAGES } from '../../blocks/watch.js';
import type { ListenerDeps } from '../../context.js';
import type { WatchCommand } from '../../parse/watch.js';
import { trackProgress } from '../../reply.js';
import { takeOn } from '../../submit.js';
import type { Surface } from '../../surfaces.js';
import type { CommandArgs } from './args.js';
import { askedOf, askedSchema, commandSurface, requesterOf } from './asker.js';

/** What a watch or unwatch job keeps of the slash command. */
const payloadSchema = askedSchema.extend({
  projectKey: z.string(),
  environmentKey: z.string(),
});
type Payload = z.infer<typeof payloadSchema>;

export function environmentOf(
  c: Extract<WatchCommand, { options: unknown }>,
  deps: ListenerDeps,
): EnvironmentRef {
  return {
    projectKey: c.options.project ?? deps.defaults.project,
    environmentKey: c.options.env ?? deps.defaults.environment,
  };
}

/** `/expire watch` and `unwatch`: written down as a job, acked, then done (policy first). */
export async function submitWatchJob(
  kind: typeof JOB_KINDS.watch | typeof JOB_KINDS.unwatch,
  c: Extract<WatchCommand, { options: unknown }>,
  { ack, command }: CommandArgs,
  deps: ListenerDeps,
): Promise<void> {
  const environment = environmentOf(c, deps);
  const payload: Payload = { ...askedOf(command), ...environment };
  const refused = await takeOn(deps, kind, `${kind}:${command.trigger_id}`, payload);
  if (refused) await ack({ response_type: 'ephemeral', text: refused });
  else if (kind === JOB_KINDS.watch)
    await ack({ response_type: 'ephemeral', text: WATCH_MESSAGES.starting(environment) });
  else await ack();
}

export const runWatch = (
  c: Extract<WatchCommand, { verb: 'watch' }>,
  args: CommandArgs,
  deps: ListenerDeps,
) => submitWatchJob(JOB_KINDS.watch, c, args, deps);

/**
 * Whether CHANGE_POLICY lets this person change the environment (starting or stopping a watch
 * changes what a channel is told about it). Protection does not apply: nothing reaches LaunchDarkly.
 */
export async function policyAnswer(p: Payload, deps: ListenerDeps) {
  const outcome = await deps.changes.check({
    who: requesterOf(p),
    // Only the policy is asked: nothing reaches LaunchDarkly, so there is nothing to approve.
    confirmed: true,
    approved: true,
    request: {
      verb: 'add',
      resource: { kind: 'flag', key: '*', projectKey: p.projectKey, environmentKey: p.environmentKey },
      targets: [],
      targetType: 'included',
      grant: false,
      comment: '',
    },
  });
  return outcome.kind === 'allowed' ? undefined : privateAnswer(outcome);
}

/**
 * A watch or unwatch job's work, for a person CHANGE_POLICY allows to change the environment;
 * anyone else is told why, privately, and nothing changes.
 */
export function allowedWatchWork(
  job: { payload: unknown; attempt: number },
  deps: ListenerDeps,
  work: (p: Payload, surface: Surface, environment: EnvironmentRef) => Promise<JobResult>,
): Promise<JobResult> {
  const p = payloadSchema.parse(job.payload);
  const surface = commandSurface(p, deps);
  const environment = { projectKey: p.projectKey, environmentKey: p.environmentKey };
  return answering(surface, deps.logger, job.attempt, async () => {
    const refused = await policyAnswer(p, deps);
    if (!refused) return work(p, surface, environment);
    await surface.tell(refused);
    return 'done';
  });
}

/**
 * The work behind `/expire watch`: the policy, then the watch and its first scan (progress in the
 * channel when it takes a while), then what the scan found, for the channel.
 */
export function watchJob(deps: ListenerDeps): JobKind {
  return {
    async run(job, ctx) {
      return allowedWatchWork(job, deps, async (p, surface, environment) => {
        let last: Parameters<typeof WATCH_MESSAGES.progress>[1] = {
          phase: 'flags',
          done: 0,
          total: undefined,
        };
        const progress = trackProgress(
          {
            client: surface.client,
            channel: surface.channel,
            logger: deps.logger,
            fallback: surface.fallback,
          },
          () => WATCH_MESSAGES.progress(environment, last),
          { afterMs: deps.progressAfterMs },
        );
        const outcome = await startWatch(
          { channelId: p.channel_id, ...environment, createdBy: p.user_id, createdAt: deps.now().getTime() },
          {
            deps: { ...deps, ...deps.watch },
            now: () => deps.now().getTime(),
            resumed: job.notes.added === true,
            onAdded: () => ctx.note({ added: true }),
            onProgress: (scan) => {
              last = scan;
              progress.update(scan.done);
            },
          },
        );
        if (outcome.ok) {
          await progress.finish(
            outcome.already
              ? WATCH_MESSAGES.already(environment, outcome.counts)
              : WATCH_MESSAGES.started(environment, outcome.counts, p.user_id),
          );
        } else if (outcome.watching) {
          await progress.finish(WATCH_MESSAGES.scanStopped(environment, outcome.message));
        } else {
          await progress.cancel();
          await surface.tell(textMessage(WATCH_MESSAGES.refused(outcome.message)));
        }
        deps.logger.info(
          { event: 'watch', user: p.user_id, channel: p.channel_id, ...environment, ok: outcome.ok },
          'watch started',
        );
        return 'done';
      });
    },
  };
}
