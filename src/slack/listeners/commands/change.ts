import type { AckFn, RespondArguments, RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { auditComment } from '../../../domain/comment.js';
import { parseWhen } from '../../../domain/when.js';
import type { ChangeRequest } from '../../../services/change.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { workingMessage } from '../../blocks/result.js';
import { confirmMessage } from '../../blocks/safety.js';
import type { ListenerDeps } from '../../context.js';
import { authorize, holdForConfirmation, isProtected } from '../../guard.js';
import { type ChangeVerb, type Command, commandResource } from '../../parse/command.js';
import { performChange } from '../../perform-change.js';

export const SOMETHING_WENT_WRONG =
  ':x: Something went wrong on my side; the details are in my log. Check with /expire list before trying again.';

interface Context {
  command: SlashCommand;
  client: WebClient;
  respond: RespondFn;
  deps: ListenerDeps;
}

/**
 * add / update / remove: ack with "working on it", then queue the work (read the time, apply,
 * post the result), which holds the command and its response_url, not the HTTP request.
 */
export async function runChange(
  c: Extract<Command, { verb: ChangeVerb }>,
  ack: AckFn<string | RespondArguments>,
  ctx: Context,
): Promise<void> {
  await ack({
    response_type: 'ephemeral',
    text: workingMessage(c.verb, c.resource, c.key, c.targets.length),
  });
  ctx.deps.work.enqueue('command', () => work(c, ctx));
}

async function work(c: Extract<Command, { verb: ChangeVerb }>, ctx: Context): Promise<void> {
  const { command, client, respond, deps } = ctx;
  // A command delivered twice (same trigger) is done once.
  if (!(await deps.safetyStore.once(`command:${command.trigger_id}`, deps.now().getTime()))) return;
  try {
    let expiresAt: number | undefined;
    if (c.verb !== 'remove') {
      const timeZone = await deps.timeZones.of(client, command.user_id);
      const when = parseWhen(c.when, { now: deps.now(), timeZone });
      if (!when.ok) {
        await respond({
          response_type: 'ephemeral',
          text: `:x: ${escapeMrkdwn(when.reason)} Nothing was sent to LaunchDarkly.`,
        });
        return;
      }
      expiresAt = when.ms;
    }
    const request: ChangeRequest = {
      verb: c.verb,
      resource: commandResource(c, deps.defaults),
      targets: c.targets,
      expiresAt,
      variation: c.options.variation,
      targetType: c.options.excluded ? 'excluded' : 'included',
      grant: c.options.grant,
      comment: auditComment(
        {
          userId: command.user_id,
          userName: command.user_name,
          teamDomain: command.team_domain,
          channelName: command.channel_name,
        },
        `${command.command} ${command.text}`,
      ),
    };
    const allowed = await authorize(request.resource, { client, userId: command.user_id, deps });
    if (!allowed.ok) {
      await respond({ response_type: 'ephemeral', text: allowed.message });
      return;
    }
    if (await isProtected(request.resource, deps)) {
      const id = await holdForConfirmation(request, {
        userId: command.user_id,
        channel: command.channel_id,
        deps,
      });
      await respond({ response_type: 'ephemeral', ...confirmMessage(id, request) });
      return;
    }
    await performChange(request, {
      client,
      channel: command.channel_id,
      userId: command.user_id,
      fallback: (message) => respond({ response_type: 'in_channel', replace_original: false, ...message }),
      deps,
    });
  } catch (error) {
    await respond({ response_type: 'ephemeral', text: SOMETHING_WENT_WRONG }).catch(() => undefined);
    throw error;
  }
}
