import type { Expiry } from '../domain/expiry.js';
import { asExpiry } from '../domain/watch.js';
import type { ListenerDeps } from './context.js';

/** A reminder button's expiry: the bot's own, or (`watched`) one mirrored from a watched environment. */
export type RemindedExpiry = Expiry & { watched?: true };

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
