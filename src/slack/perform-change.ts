import type { WebClient } from '@slack/web-api';
import { applyChange, type ChangeRequest } from '../services/change.js';
import { recordChange } from '../services/record.js';
import { progressMessage, resultMessage } from './blocks/result.js';
import type { ListenerDeps } from './context.js';
import { type Destination, trackProgress } from './reply.js';

/**
 * Applies a change asked for from Slack (command or modal) and reports it: progress for long
 * work, the result in the channel, the store kept in step, one log line per change.
 */
export async function performChange(
  request: ChangeRequest,
  ctx: {
    client: WebClient;
    channel: string;
    userId: string;
    fallback: Destination['fallback'];
    deps: ListenerDeps;
  },
): Promise<void> {
  const { deps } = ctx;
  const { resource } = request;
  const destination: Destination = {
    client: ctx.client,
    channel: ctx.channel,
    logger: deps.logger,
    fallback: ctx.fallback,
  };
  const progress = trackProgress(
    destination,
    (done) => progressMessage(request.verb, resource.kind, resource.key, done, request.targets.length),
    { afterMs: deps.progressAfterMs },
  );
  const result = await applyChange(request, deps.ld, (p) => progress.update(p.done));
  const { ts } = await progress.finish(resultMessage(result, ctx.userId));
  await recordChange(
    result,
    deps.store,
    { requestedBy: ctx.userId, channelId: ctx.channel, messageTs: ts },
    deps.now().getTime(),
  );
  deps.logger.info(
    {
      event: 'change',
      user: ctx.userId,
      verb: request.verb,
      resource,
      targets: request.targets.length,
      ok: result.results.filter((r) => r.ok).length,
      failed: result.results.filter((r) => !r.ok).length,
      error: result.error,
    },
    'expiry change',
  );
}
