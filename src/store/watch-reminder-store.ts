import { type Kysely, sql } from 'kysely';
import type { MirroredExpiry } from '../domain/watch.js';
import { ClaimTable } from './claim-table.js';
import { toMirroredExpiry } from './rows.js';
import type { Database } from './schema.js';

/** A watched expiry due for a reminder in one watching channel. */
export interface DueWatchReminder {
  channelId: string;
  /** Who started the channel's watch: reminders go to them when the channel refuses the bot. */
  watchedBy: string;
  expiry: MirroredExpiry;
  leadMs: number;
}

export type WatchReminderKey = { channelId: string; expiryId: string; leadMs: number; expiresAt: number };

export const watchReminderKey = (d: DueWatchReminder): WatchReminderKey => ({
  channelId: d.channelId,
  expiryId: d.expiry.id,
  leadMs: d.leadMs,
  expiresAt: d.expiry.expiresAt,
});

/** Reminders of watched environments: which are due in each watching channel, and their claims. */
export class WatchReminderStore {
  readonly claims: ClaimTable<WatchReminderKey, 'posted' | 'superseded' | 'changed' | 'gone'>;

  constructor(private readonly db: Kysely<Database>) {
    this.claims = new ClaimTable<WatchReminderKey, 'posted' | 'superseded' | 'changed' | 'gone'>(db, {
      table: 'watch_reminders',
      columns: { channelId: 'channel_id', expiryId: 'expiry_id', leadMs: 'lead_ms', expiresAt: 'expires_at' },
    });
  }

  /**
   * Reminders due in watching channels: for each lead time, mirrored expiries still ahead whose
   * `expires_at - lead` has passed since the instant was first seen, in every channel watching
   * their environment, except a channel where the bot scheduled that very target (its thread
   * gets the reminder), without a finished or live claim.
   */
  async due(
    now: number,
    leadTimesMs: readonly number[],
    staleMs: number,
    limit: number,
  ): Promise<DueWatchReminder[]> {
    const due: DueWatchReminder[] = [];
    for (const leadMs of leadTimesMs) {
      const rows = await this.db
        .selectFrom('mirrored_expiries as m')
        .innerJoin('watches as w', (join) =>
          join
            .onRef('w.project_key', '=', 'm.project_key')
            .onRef('w.environment_key', '=', 'm.environment_key'),
        )
        .selectAll('m')
        .select(['w.channel_id as channel_id', 'w.created_by as watched_by'])
        .where('m.expires_at', '>', now)
        .where('m.expires_at', '<=', now + leadMs)
        .where(sql<boolean>`m.expires_at - ${leadMs} >= m.observed_at`)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('expiries as e')
                .select('e.id')
                .whereRef('e.channel_id', '=', 'w.channel_id')
                .whereRef('e.resource_kind', '=', 'm.resource_kind')
                .whereRef('e.project_key', '=', 'm.project_key')
                .whereRef('e.environment_key', '=', 'm.environment_key')
                .whereRef('e.resource_key', '=', 'm.resource_key')
                .whereRef('e.context_kind', '=', 'm.context_kind')
                .whereRef('e.target_key', '=', 'm.target_key'),
            ),
          ),
        )
        .where(
          this.claims.notTaken(
            {
              channel_id: sql.ref('w.channel_id'),
              expiry_id: sql.ref('m.id'),
              expires_at: sql.ref('m.expires_at'),
              lead_ms: leadMs,
            },
            now,
            staleMs,
          ),
        )
        .orderBy('m.expires_at')
        .limit(limit)
        .execute();
      for (const { channel_id, watched_by, ...row } of rows) {
        due.push({ channelId: channel_id, watchedBy: watched_by, expiry: toMirroredExpiry(row), leadMs });
      }
    }
    return due;
  }
}
