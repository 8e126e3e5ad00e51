import type { Expiry } from '../domain/expiry.js';
import type { MirroredExpiry } from '../domain/watch.js';
import type { ListenerDeps } from './context.js';

/** A reminder button's expiry: the bot's own, or (`watched`) one mirrored from a watched environment. */
export type RemindedExpiry = Expiry & { watched?: true };

/**
 * A mirrored expiry in the shape the reminder actions take. Nobody scheduled it through the bot:
 * a change made from its reminder is the clicker's, in the reminder's channel and thread.
 */
function asExpiry(m: MirroredExpiry): RemindedExpiry {
  return {
    id: m.id,
    resource: m.resource,
    target: m.target,
    expiresAt: m.expiresAt,
    ...(m.variationId ? { variationId: m.variationId } : {}),
    ...(m.targetType ? { targetType: m.targetType } : {}),
    requestedBy: '',
    channelId: '',
    createdAt: m.observedAt,
    updatedAt: m.observedAt,
    watched: true,
  };
}

/** The expiry a reminder names, the bot's own first, then the mirror's. */
export async function findReminded(
  id: string,
  deps: Pick<ListenerDeps, 'store' | 'mirror'>,
): Promise<RemindedExpiry | undefined> {
  const own = await deps.store.get(id);
  if (own) return own;
  const mirrored = await deps.mirror.get(id);
  return mirrored && asExpiry(mirrored);
}

/**
 * After a change from a grouped reminder of a watched environment: the mirror follows at once
 * (the next sync would read it back anyway).
 */
export async function followInMirror(
  expiry: RemindedExpiry,
  movedTo: number | undefined,
  userId: string,
  deps: Pick<ListenerDeps, 'mirror' | 'now'>,
): Promise<void> {
  if (movedTo !== undefined)
    await deps.mirror.setExpiresAt(expiry.id, movedTo, deps.now().getTime(), `<@${userId}>`);
  else await deps.mirror.delete(expiry.id);
}
