import type { Expiry } from '../domain/expiry.js';
import { targetLabel } from '../domain/targets.js';
import { asExpiry } from '../domain/watch.js';
import type { ExpiryStore } from '../store/expiry-store.js';
import type { MirrorStore } from '../store/mirror-store.js';

/** The most expiries the Home tab lists; the rest are counted and left to `/expire list`. */
export const HOME_LIMIT = 50;

export interface Upcoming {
  items: Expiry[];
  total: number;
}

/**
 * One kind of expiry a person sees on their Home tab: at most `limit` of theirs still ahead,
 * soonest first, and how many in all.
 */
export type HomeSource = (userId: string, now: number, limit: number) => Promise<Upcoming>;

/** The expiries a person scheduled through the bot. */
export const scheduledBy =
  (store: Pick<ExpiryStore, 'upcomingOf'>): HomeSource =>
  (userId, now, limit) =>
    store.upcomingOf(userId, now, limit);

/** The expiries of the environments watched by `channelIds` (the person's watching channels). */
export const watchedIn =
  (mirror: Pick<MirrorStore, 'upcomingIn'>, channelIds: readonly string[]): HomeSource =>
  async (_userId, now, limit) => {
    const { items, total } = await mirror.upcomingIn(channelIds, now, limit);
    return { items: items.map((m) => asExpiry(m)), total };
  };

/**
 * What the Home tab lists: every source's expiries merged, soonest first, at most `limit`; a target
 * two sources both know (scheduled through the bot in a watched environment) is listed once, from
 * the first source. `total` counts each source's in full, so it may count such a target twice.
 */
export async function homeExpiries(
  sources: readonly HomeSource[],
  userId: string,
  now: number,
  limit = HOME_LIMIT,
): Promise<Upcoming> {
  const answers = await Promise.all(sources.map((source) => source(userId, now, limit)));
  const seen = new Set<string>();
  const items: Expiry[] = [];
  let duplicates = 0;
  for (const e of answers.flatMap((a) => a.items)) {
    const id = [
      e.resource.kind,
      e.resource.projectKey,
      e.resource.key,
      e.resource.environmentKey,
      targetLabel(e.target),
    ].join('\u0000');
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    items.push(e);
  }
  // Stable: the store's own order (instant, then key and target) breaks ties.
  items.sort((a, b) => a.expiresAt - b.expiresAt);
  const total = answers.reduce((sum, a) => sum + a.total, 0) - duplicates;
  return { items: items.slice(0, limit), total };
}
