import type { WebClient } from '@slack/web-api';
import { groupBy } from '../domain/group-by.js';
import { targetLabel } from '../domain/targets.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import type { ExpiringTarget } from '../launchdarkly/outcomes.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { reminderMessage } from '../slack/blocks/reminder.js';
import { slackErrorCode } from '../slack/reply.js';
import type { DueReminder, ExpiryStore, ReminderKey } from '../store/expiry-store.js';

export interface ReminderJobDeps {
  store: ExpiryStore;
  ld: LaunchDarklyClient;
  slack: Pick<WebClient, 'chat'>;
  logger: Logger;
  /** Longest first. */
  leadTimesMs: readonly number[];
  /** This replica's name in claims. */
  owner: string;
  /**
   * A claim that never finished within this time is taken over by the next pass. A replica that
   * crashed after posting but before recording it will so see its reminder posted twice: we
   * prefer a duplicate reminder to a missing one, since a missing one costs someone their access.
   */
  staleMs?: number;
  /** At most this many reminders per pass; the rest wait for the next. */
  batch?: number;
  metrics?: Pick<Metrics, 'reminders'>;
}

export interface ReminderPassStats {
  due: number;
  posted: number;
  superseded: number;
  changed: number;
  gone: number;
  failed: number;
  ldReads: number;
}

const SETTLE_CONCURRENCY = 8;

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

const key = (d: DueReminder): ReminderKey => ({
  expiryId: d.expiry.id,
  leadMs: d.leadMs,
  expiresAt: d.expiry.expiresAt,
});
/** Slack errors after which retrying cannot help: the reminder is recorded as undeliverable. */
const UNDELIVERABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/**
 * One pass: claim the reminders that are due, check each against LaunchDarkly (one read per flag
 * or segment and environment), and post those still scheduled for the same instant in the thread
 * of the original result. The store follows LaunchDarkly where it differs. Idempotent: a reminder
 * is posted once per lead time, whoever runs the pass and however often.
 */
export async function runReminderPass({
  now,
  deps,
}: {
  now: number;
  deps: ReminderJobDeps;
}): Promise<ReminderPassStats> {
  const { store, logger } = deps;
  const staleMs = deps.staleMs ?? 5 * 60_000;
  const stats: ReminderPassStats = {
    due: 0,
    posted: 0,
    superseded: 0,
    changed: 0,
    gone: 0,
    failed: 0,
    ldReads: 0,
  };
  const due = await store.due(now, deps.leadTimesMs, staleMs, deps.batch ?? 1_000);
  stats.due = due.length;

  // When several lead times have come for one expiry (the bot was down), one reminder says it all:
  // the one for the shortest lead that has come. Longer ones are settled as superseded, and
  // when the shortest is another replica's (or done), this pass posts nothing for the expiry.
  const byExpiry = groupBy(due, (d) => d.expiry.id);
  const mine: DueReminder[] = [];
  const claimed = new Set(
    (await store.claimMany(due.map(key), deps.owner, now, staleMs)).map((k) => `${k.expiryId}|${k.leadMs}`),
  );
  for (const reminders of byExpiry.values()) {
    const e = reminders[0]!.expiry;
    const nearestLead = Math.min(...deps.leadTimesMs.filter((lead) => e.expiresAt - lead <= now));
    for (const d of reminders) {
      if (!claimed.has(`${e.id}|${d.leadMs}`)) continue;
      if (d.leadMs === nearestLead) {
        mine.push(d);
      } else {
        await store.finish(key(d), 'superseded');
        stats.superseded++;
      }
    }
  }

  const groups = groupBy(mine, ({ expiry: { resource: r } }) =>
    [r.kind, r.projectKey, r.key, r.environmentKey].join('\u0000'),
  );
  for (const reminders of groups.values()) {
    let scheduled: Map<string, ExpiringTarget>;
    try {
      stats.ldReads++;
      const items = await deps.ld.getExpiringTargets(reminders[0]!.expiry.resource);
      scheduled = new Map(items.map((t) => [targetLabel(t), t]));
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      logger.warn(
        { err: error, resource: reminders[0]!.expiry.resource },
        'reminders wait: LaunchDarkly read failed',
      );
      for (const d of reminders) await store.release(key(d));
      stats.failed += reminders.length;
      continue;
    }
    // A few at a time: the store and Slack answer faster in parallel, and Slack's client queues.
    await inParallel(reminders, SETTLE_CONCURRENCY, (d) => settle(d, scheduled, now, deps, stats));
  }
  if (stats.due > 0) logger.info({ event: 'reminder_pass', ...stats }, 'reminder pass');
  for (const outcome of ['posted', 'superseded', 'changed', 'gone', 'failed'] as const) {
    if (stats[outcome] > 0) deps.metrics?.reminders.inc({ outcome }, stats[outcome]);
  }
  return stats;
}

async function settle(
  d: DueReminder,
  scheduled: Map<string, ExpiringTarget>,
  now: number,
  deps: ReminderJobDeps,
  stats: ReminderPassStats,
): Promise<void> {
  const { store } = deps;
  const e = d.expiry;
  const current = scheduled.get(targetLabel(e.target));
  if (!current) {
    // Removed or cancelled in LaunchDarkly: the bot forgets it and says nothing.
    await store.finish(key(d), 'gone');
    await store.delete(e.id);
    stats.gone++;
    return;
  }
  if (current.expirationDate !== e.expiresAt) {
    // Moved elsewhere: follow LaunchDarkly; the new instant gets its own reminders.
    await store.finish(key(d), 'changed');
    await store.setExpiresAt(e.id, current.expirationDate, now);
    stats.changed++;
    return;
  }
  const message = reminderMessage(e, now);
  try {
    const posted = await deps.slack.chat.postMessage({
      channel: e.channelId,
      ...(e.messageTs ? { thread_ts: e.messageTs } : {}),
      ...message,
    });
    await store.finish(key(d), 'posted', posted.ts);
    stats.posted++;
  } catch (error) {
    const code = slackErrorCode(error);
    deps.logger.warn({ err: error, expiry: e.id, code }, 'could not post a reminder in its channel');
    if (!code || !UNDELIVERABLE.has(code)) {
      await store.release(key(d));
      stats.failed++;
      return;
    }
    // Scheduled from a DM or a private channel the bot is not in: remind the person directly.
    try {
      const posted = await deps.slack.chat.postMessage({ channel: e.requestedBy, ...message });
      await store.finish(key(d), 'posted', posted.ts);
      stats.posted++;
    } catch (dmError) {
      deps.logger.warn({ err: dmError, expiry: e.id }, 'could not send a reminder by DM either');
      await store.finish(key(d), 'gone');
      stats.failed++;
    }
  }
}
