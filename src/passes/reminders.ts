import pLimit from 'p-limit';
import type { Metrics } from '../metrics.js';
import { reminderMessage } from '../slack/blocks/reminder.js';
import { postOrDm, threadOf } from '../slack/reply.js';
import type { ExpiryStore } from '../store/expiry-store.js';
import { type DueReminder, reminderKey } from '../store/reminder-store.js';
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

export interface ReminderPassDeps extends ClaimingPassDeps {
  store: ExpiryStore;
  /** Longest first. */
  leadTimesMs: readonly number[];
  metrics?: Pick<Metrics, 'reminders'>;
}

const FIGURES = 'due posted superseded changed gone failed ldReads';

export type ReminderPassStats = Counts<typeof FIGURES>;

/** Reminders settled at once: the store and Slack answer faster in parallel, and Slack's client queues. */
const SETTLE_CONCURRENCY = 8;

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
  deps: ReminderPassDeps;
}): Promise<ReminderPassStats> {
  const { reminders } = deps.store;
  const { claims } = reminders;
  const staleMs = deps.staleMs ?? DEFAULT_STALE_MS;
  const stats: ReminderPassStats = counts(FIGURES);
  const due = await reminders.due(now, deps.leadTimesMs, staleMs, deps.batch ?? 1_000);
  stats.due = due.length;
  const held = new Set((await claims.claim(due.map(reminderKey), deps.owner, now, staleMs)).map(keyId));
  const { mine, superseded } = nearestLeads(
    due,
    (d) => held.has(keyId(reminderKey(d))),
    (d) => d.expiry.id,
    deps.leadTimesMs,
    now,
  );
  await claims.finish(superseded.map(reminderKey), 'superseded');
  stats.superseded += superseded.length;

  stats.ldReads = await perResource(
    mine,
    (d) => d.expiry.resource,
    (resource) => scheduledTargets(deps.ld, resource),
    {
      read: async (group, scheduled) => {
        const settleOne = async (d: DueReminder) => {
          const found = compareScheduled(scheduled, d.expiry);
          if (found.is === 'gone') {
            // Removed or cancelled in LaunchDarkly: the bot forgets it and says nothing.
            await claims.finish([reminderKey(d)], 'gone');
            await deps.store.delete(d.expiry.id);
            stats.gone++;
          } else if (found.is === 'moved') {
            await claims.finish([reminderKey(d)], 'changed');
            await deps.store.setExpiresAt(d.expiry.id, found.to, now);
            stats.changed++;
          } else {
            await post(d, now, deps, stats);
          }
        };
        const limit = pLimit(SETTLE_CONCURRENCY);
        await Promise.all(group.map((d) => limit(() => settleOne(d))));
      },
      failed: async (group) => {
        await claims.release(group.map(reminderKey));
        stats.failed += group.length;
      },
    },
    deps.logger,
    'reminders',
  );
  if (stats.due > 0) deps.logger.info({ event: 'reminder_pass', ...stats }, 'reminder pass');
  for (const outcome of ['posted', 'superseded', 'changed', 'gone', 'failed'] as const) {
    if (stats[outcome] > 0) deps.metrics?.reminders.inc({ outcome }, stats[outcome]);
  }
  return stats;
}

const keyId = (k: { expiryId: string; leadMs: number }) => `${k.expiryId}|${k.leadMs}`;

/** In the thread of the result; scheduled from a DM or a channel the bot left: to the person directly. */
async function post(d: DueReminder, now: number, deps: ReminderPassDeps, stats: ReminderPassStats) {
  const e = d.expiry;
  const where = threadOf(e);
  const posted = await postOrDm(deps.slack, where, e.requestedBy, reminderMessage(e, now), deps.logger);
  const key = reminderKey(d);
  const { claims } = deps.store.reminders;
  if (posted === 'retry') {
    await claims.release([key]);
    stats.failed++;
  } else if (posted === 'lost') {
    await claims.finish([key], 'gone');
    stats.failed++;
  } else {
    await claims.finish([key], 'posted', posted.ts);
    stats.posted++;
  }
}
