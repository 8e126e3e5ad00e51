import type { ChangeRequest, Requester } from '../../../domain/change-request.js';
import { auditComment } from '../../../domain/comment.js';
import { readTiming } from '../../../domain/timing.js';
import { VERBS, type Verb } from '../../../domain/vocabulary.js';
import { once } from '../../../services/once.js';
import { announceChange, answering, type Surface } from '../../announce.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { workingMessage } from '../../blocks/result.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import { type Command, commandResource } from '../../parse/command.js';
import type { CommandArgs } from './expire.js';

/**
 * A change by command (add, update, extend, remove): ack with "working on it", then queue the
 * work, which holds the command and its response_url, not the HTTP request.
 */
export async function runChange(
  c: Extract<Command, { verb: Verb }>,
  { ack, command, client, respond }: CommandArgs,
  deps: ListenerDeps,
): Promise<void> {
  await ack({
    response_type: 'ephemeral',
    text: workingMessage(c.verb, c.resource, c.key, c.targets.length),
  });
  const surface: Surface = {
    client,
    channel: command.channel_id,
    userId: command.user_id,
    tell: (message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }),
    fallback: (message) => respond({ response_type: 'in_channel', replace_original: false, ...message }),
  };
  const who: Requester = {
    userId: command.user_id,
    userName: command.user_name,
    teamDomain: command.team_domain,
    channelId: command.channel_id,
    channelName: command.channel_name,
  };
  deps.work.enqueue('command', () =>
    answering(surface, deps.logger, async () => {
      // A command delivered twice (same trigger) is done once.
      await once(deps.safetyStore, `command:${command.trigger_id}`, deps.now().getTime(), async () => {
        const timeZone =
          VERBS[c.verb].takes === 'nothing' ? 'UTC' : await deps.timeZones.of(client, command.user_id);
        const timing = readTiming(c.verb, c.when, { now: deps.now(), timeZone });
        if (!timing.ok) {
          await surface.tell(
            textMessage(`:x: ${escapeMrkdwn(timing.problem)} Nothing was sent to LaunchDarkly.`),
          );
          return true;
        }
        const request: ChangeRequest = {
          verb: c.verb,
          resource: commandResource(c, deps.defaults),
          targets: c.targets,
          ...timing.timing,
          variation: c.options.variation,
          targetType: c.options.excluded ? 'excluded' : 'included',
          grant: c.options.grant,
          comment: auditComment(who, `${command.command} ${command.text}`),
        };
        return announceChange(
          request,
          (onProgress) => deps.changes.request({ who, request }, onProgress),
          surface,
          deps,
        );
      });
      return true;
    }),
  );
}
