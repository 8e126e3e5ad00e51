import type { WebClient } from '@slack/web-api';
import { groupBy } from '../domain/group-by.js';
import { targetLabel } from '../domain/targets.js';
import { type MirroredExpiry, resourceId } from '../domain/watch.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError, LdNotFoundError } from '../launchdarkly/errors.js';
import type { ExpiringTarget } from '../launchdarkly/outcomes.js';
import type { Logger } from '../log.js';
import { WATCHED_TARGETS_PER_MESSAGE, watchedReminderMessages } from '../slack/blocks/reminder.js';
import { slackErrorCode } from '../slack/reply.js';
import type { DueWatchReminder, MirrorStore, WatchReminderKey } from '../store/mirror-store.js';

export interface WatchReminderDeps {
  mirror: MirrorStore;
  ld: LaunchDarklyClient;
  slack: Pick<WebClient, 'chat'>;
  logger: Logger;
  /** Longest first. */
  leadTimesMs: readonly number[];
  owner: string;
  /** A claim unfinished after this long is taken over (see ReminderJobDeps.staleMs). */
  staleMs?: number;
  batch?: number;
}

export interface WatchReminderStats {
  due: number;
  posted: number;
  messages: number;
  superseded: number;
  changed: number;
  gone: number;
  failed: number;
  ldReads: number;
}

const key = (d: DueWatchReminder): WatchReminderKey => ({
  channelId: d.channelId,
  expiryId: d.expiry.id,
  leadMs: d.leadMs,
  expiresAt: d.expiry.expiresAt,
});
const UNDELIVERABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

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
  const { mirror, logger } = deps;
  const staleMs = deps.staleMs ?? 5 * 60_000;
  const stats: WatchReminderStats = {
    due: 0,
    posted: 0,
    messages: 0,
    superseded: 0,
    changed: 0,
    gone: 0,
    failed: 0,
    ldReads: 0,
  };
  const due = await mirror.due(now, deps.leadTimesMs, staleMs, deps.batch ?? 5_000);
  stats.due = due.length;
  if (due.length === 0) return stats;

  const claimed = new Set(
    (await mirror.claimMany(due.map(key), deps.owner, now, staleMs)).map(
      (k) => `${k.channelId}|${k.expiryId}|${k.leadMs}`,
    ),
  );
  // Several lead times come at once after downtime: one reminder, for the nearest of them.
  const mine: DueWatchReminder[] = [];
  for (const reminders of groupBy(due, (d) => `${d.channelId}|${d.expiry.id}`).values()) {
    const at = reminders[0]!.expiry.expiresAt;
    const nearestLead = Math.min(...deps.leadTimesMs.filter((lead) => at - lead <= now));
    for (const d of reminders) {
      if (!claimed.has(`${d.channelId}|${d.expiry.id}|${d.leadMs}`)) continue;
      if (d.leadMs === nearestLead) mine.push(d);
      else {
        await mirror.finish(key(d), 'superseded');
        stats.superseded++;
      }
    }
  }

  const keep: DueWatchReminder[] = [];
  for (const reminders of groupBy(mine, (d) => resourceId(d.expiry.resource)).values()) {
    const resource = reminders[0]!.expiry.resource;
    let scheduled: Map<string, ExpiringTarget>;
    try {
      stats.ldReads++;
      scheduled = new Map((await deps.ld.getExpiringTargets(resource)).map((t) => [targetLabel(t), t]));
    } catch (error) {
      if (error instanceof LdNotFoundError) {
        scheduled = new Map();
      } else {
        if (!(error instanceof LdError)) throw error;
        logger.warn({ err: error, resource }, 'watched reminders wait: LaunchDarkly read failed');
        for (const d of reminders) await mirror.release(key(d));
        stats.failed += reminders.length;
        continue;
      }
    }
    for (const d of reminders) {
      const current = scheduled.get(targetLabel(d.expiry.target));
      if (!current) {
        await mirror.finish(key(d), 'gone');
        await mirror.delete(d.expiry.id);
        stats.gone++;
      } else if (current.expirationDate !== d.expiry.expiresAt) {
        await mirror.finish(key(d), 'changed');
        await mirror.setExpiresAt(d.expiry.id, current.expirationDate, now);
        stats.changed++;
      } else {
        keep.push(d);
      }
    }
  }

  const messages = groupBy(
    keep,
    (d) => `${d.channelId}|${resourceId(d.expiry.resource)}|${d.expiry.expiresAt}`,
  );
  for (const group of messages.values()) {
    await post(group, now, deps, stats);
  }
  if (stats.due > 0) logger.info({ event: 'watch_reminder_pass', ...stats }, 'watched reminder pass');
  return stats;
}

async function post(
  group: DueWatchReminder[],
  now: number,
  deps: WatchReminderDeps,
  stats: WatchReminderStats,
) {
  const channel = group[0]!.channelId;
  const expiries: MirroredExpiry[] = group
    .map((d) => d.expiry)
    .sort((a, b) => targetLabel(a.target).localeCompare(targetLabel(b.target)));
  const byId = new Map(group.map((d) => [d.expiry.id, d]));
  const messages = watchedReminderMessages(expiries, now);
  for (const [index, message] of messages.entries()) {
    const part = expiries.slice(
      index * WATCHED_TARGETS_PER_MESSAGE,
      (index + 1) * WATCHED_TARGETS_PER_MESSAGE,
    );
    const keys = part.map((e) => key(byId.get(e.id)!));
    const settle = async (ts: string | undefined) => {
      await deps.mirror.finishMany(keys, 'posted', ts);
      stats.posted += keys.length;
      stats.messages++;
    };
    try {
      const posted = await deps.slack.chat.postMessage({ channel, ...message, unfurl_links: false });
      await settle(posted.ts);
    } catch (error) {
      const code = slackErrorCode(error);
      deps.logger.warn({ err: error, channel, code }, 'could not post a watched reminder');
      if (!code || !UNDELIVERABLE.has(code)) {
        for (const k of keys) await deps.mirror.release(k);
        stats.failed += keys.length;
        continue;
      }
      // The channel no longer takes the bot's messages (archived, private without the bot): the
      // person who started the watch gets the reminder by DM rather than nobody.
      try {
        const posted = await deps.slack.chat.postMessage({ channel: group[0]!.watchedBy, ...message });
        await settle(posted.ts);
      } catch (dmError) {
        deps.logger.warn({ err: dmError, channel }, 'could not send a watched reminder by DM either');
        await deps.mirror.finishMany(keys, 'gone');
        stats.failed += keys.length;
      }
    }
  }
}
