import { homeExpiries, scheduledBy } from '../services/home.js';
import { homeView } from './blocks/home.js';
import type { ListenerDeps } from './context.js';

/**
 * Publishes a person's Home tab: what of theirs is about to expire, and how to ask for more.
 * The sources are where a person's expiries come from: today those they scheduled; watched
 * environments (issue 14) add theirs here.
 */
export async function publishHome(
  deps: Pick<ListenerDeps, 'slack' | 'store' | 'now'>,
  userId: string,
): Promise<void> {
  const now = deps.now().getTime();
  const upcoming = await homeExpiries([scheduledBy(deps.store)], userId, now);
  await deps.slack.views.publish({ user_id: userId, view: homeView(upcoming, now) });
}
