import { type HomeSource, homeExpiries, scheduledBy, watchedIn } from '../services/home.js';
import { HOME_APPROVALS_LIMIT, homeView } from './blocks/home.js';
import type { ListenerDeps } from './context.js';
import { watchedVisibleTo } from './member-channels.js';

export type HomeDeps = Pick<
  ListenerDeps,
  'slack' | 'store' | 'mirror' | 'watches' | 'now' | 'logger' | 'approvals' | 'ldApprovals'
>;

/**
 * Publishes a person's Home tab: what of theirs is about to expire (those they scheduled, and
 * those of environments watched by channels they are in: `watchedVisibleTo`, the rule `/expire
 * list` keeps too), and how to ask for more. When Slack cannot say which channels they are in,
 * their own are shown with one line saying so.
 */
export async function publishHome(deps: HomeDeps, userId: string): Promise<void> {
  const now = deps.now().getTime();
  const sources: HomeSource[] = [scheduledBy(deps.store)];
  const watched = await watchedVisibleTo(deps, userId);
  if (watched.channels.length > 0) sources.push(watchedIn(deps.mirror, watched.channels));
  const [upcoming, approvals, ldWaiting] = await Promise.all([
    homeExpiries(sources, userId, now),
    approvalsOf(deps, userId),
    deps.ldApprovals.open({ requesterId: userId }),
  ]);
  await deps.slack.views.publish({
    user_id: userId,
    view: homeView(upcoming, now, { watchedUnknown: watched.unknown, approvals, ldWaiting }),
  });
}

/** What waits for this person's approval, and what of theirs waits for others'. */
async function approvalsOf(deps: HomeDeps, userId: string) {
  if (!deps.approvals.configured) return undefined;
  const [awaiting, asked] = await Promise.all([
    deps.approvals.awaiting(userId, HOME_APPROVALS_LIMIT + 1),
    deps.approvals.pending({ requesterId: userId }, HOME_APPROVALS_LIMIT + 1),
  ]);
  return { awaiting, asked };
}
