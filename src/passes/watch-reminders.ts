import { groupBy } from '../domain/group-by.js';
import { targetLabel } from '../domain/targets.js';
import { resourceId } from '../domain/watch.js';
import { WATCHED_TARGETS_PER_MESSAGE, watchedReminderMessages } from '../slack/blocks/reminder.js';
import { postOrDm } from '../slack/reply.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { type DueWatchReminder, watchReminderKey } from '../store/watch-reminder-store.js';
import {
  type ClaimingPassDeps,
  type Counts,
  compareScheduled,
  counts,
  DEFAULT_STALE_MS,
  nearestLeads,
  perResource,
  scheduledTargets,
} from './steps.js';

export interface WatchReminderDeps extends ClaimingPassDeps {
  mirror: MirrorStore;
  /** Longest first. */
  leadTimesMs: readonly number[];
}

const FIGURES = 'due posted messages superseded changed gone failed ldReads';

export type WatchReminderStats = Counts<typeof FIGURES>;

const keyId = (k: { channelId: string; expiryId: string; leadMs: number }) =>
  `${k.channelId}|${k.expiryId}|${k.leadMs}`;

/**
 * One pass of reminders for watched environments: claim what is due in each watching channel,
 * re-read each flag or segment once from LaunchDarkly, follow it where it moved or dropped an
 * expiry, and post one message per channel, flag or segment and instant for the rest. Exactly
 * once per channel, target, lead time and instant, across replicas.
 */
export async function runWatchReminderPass({
  now,
  deps,
}: {
  now: number;
  deps: WatchReminderDeps;
}): Promise<WatchReminderStats> {
  const { mirror } = deps;
  const { claims } = mirror.reminders;
  const staleMs = deps.staleMs ?? DEFAULT_STALE_MS;
  const stats: WatchReminderStats = counts(FIGURES);
  const due = await mirror.reminders.due(now, deps.leadTimesMs, staleMs, deps.batch ?? 5_000);
  stats.due = due.length;
  if (due.length === 0) return stats;

  const held = new Set((await claims.claim(due.map(watchReminderKey), deps.owner, now, staleMs)).map(keyId));
  const { mine, superseded } = nearestLeads(
    due,
    (d) => held.has(keyId(watchReminderKey(d))),
    (d) => `${d.channelId}|${d.expiry.id}`,
    deps.leadTimesMs,
    now,
  );
  await claims.finish(superseded.map(watchReminderKey), 'superseded');
  stats.superseded += superseded.length;

  const keep: DueWatchReminder[] = [];
  const settle = async (group: DueWatchReminder[], scheduled: Parameters<typeof compareScheduled>[0]) => {
    for (const d of group) {
      const found = compareScheduled(scheduled, d.expiry);
      if (found.is === 'gone') {
        await claims.finish([watchReminderKey(d)], 'gone');
        await mirror.delete(d.expiry.id);
        stats.gone++;
      } else if (found.is === 'moved') {
        await claims.finish([watchReminderKey(d)], 'changed');
        await mirror.setExpiresAt(d.expiry.id, found.to, now);
        stats.changed++;
      } else {
        keep.push(d);
      }
    }
  };
  stats.ldReads = await perResource(
    mine,
    (d) => d.expiry.resource,
    (resource) => scheduledTargets(deps.ld, resource),
    {
      read: settle,
      // The flag or segment itself is gone: so is every expiry of it.
      gone: (group) => settle(group, new Map()),
      failed: async (group) => {
        await claims.release(group.map(watchReminderKey));
        stats.failed += group.length;
      },
    },
    deps.logger,
    'watched reminders',
  );

  const messages = groupBy(
    keep,
    (d) => `${d.channelId}|${resourceId(d.expiry.resource)}|${d.expiry.expiresAt}`,
  );
  for (const group of messages.values()) await post(group, now, deps, stats);
  if (stats.due > 0) deps.logger.info({ event: 'watch_reminder_pass', ...stats }, 'watched reminder pass');
  return stats;
}

/**
 * One channel's reminders of one flag or segment and instant, a message per 20 targets. A channel
 * that no longer takes the bot's messages (archived, private without the bot): the person who
 * started the watch gets them by DM rather than nobody.
 */
async function post(
  group: DueWatchReminder[],
  now: number,
  deps: WatchReminderDeps,
  stats: WatchReminderStats,
) {
  const { channelId, watchedBy } = group[0]!;
  const { claims } = deps.mirror.reminders;
  const sorted = [...group].sort((a, b) =>
    targetLabel(a.expiry.target).localeCompare(targetLabel(b.expiry.target)),
  );
  const messages = watchedReminderMessages(
    sorted.map((d) => d.expiry),
    now,
  );
  for (const [index, message] of messages.entries()) {
    const part = sorted.slice(index * WATCHED_TARGETS_PER_MESSAGE, (index + 1) * WATCHED_TARGETS_PER_MESSAGE);
    const keys = part.map(watchReminderKey);
    const posted = await postOrDm(deps.slack, { channel: channelId }, watchedBy, message, deps.logger);
    if (posted === 'retry') {
      await claims.release(keys);
      stats.failed += keys.length;
    } else if (posted === 'lost') {
      await claims.finish(keys, 'gone');
      stats.failed += keys.length;
    } else {
      await claims.finish(keys, 'posted', posted.ts);
      stats.posted += keys.length;
      stats.messages++;
    }
  }
}
