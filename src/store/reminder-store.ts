import { type Kysely, sql } from 'kysely';
import type { Expiry } from '../domain/expiry.js';
import { ClaimTable } from './claim-table.js';
import { toExpiry } from './rows.js';
import type { Database } from './schema.js';

export interface DueReminder {
  expiry: Expiry;
  leadMs: number;
}

export type ReminderKey = { expiryId: string; leadMs: number; expiresAt: number };

export type ReminderOutcome = 'posted' | 'superseded' | 'changed' | 'gone';

export const reminderKey = (d: DueReminder): ReminderKey => ({
  expiryId: d.expiry.id,
  leadMs: d.leadMs,
  expiresAt: d.expiry.expiresAt,
});

/** The reminders of the bot's own expiries: which are due, and their claims (once per lead time and instant). */
export class ReminderStore {
  readonly claims: ClaimTable<ReminderKey, ReminderOutcome>;

  constructor(private readonly db: Kysely<Database>) {
    this.claims = new ClaimTable<ReminderKey, ReminderOutcome>(db, {
      table: 'reminders',
      columns: { expiryId: 'expiry_id', leadMs: 'lead_ms', expiresAt: 'expires_at' },
    });
  }

  /**
   * Reminders whose time has come and that nobody has settled: for each lead time, expiries still
   * ahead whose `expires_at - lead` has passed (and came after the expiry was set), without a
   * finished reminder row, and without a live claim (one older than `staleMs` is taken over).
   */
  async due(
    now: number,
    leadTimesMs: readonly number[],
    staleMs: number,
    limit: number,
  ): Promise<DueReminder[]> {
    const due: DueReminder[] = [];
    for (const leadMs of leadTimesMs) {
      const rows = await this.db
        .selectFrom('expiries as e')
        .selectAll('e')
        .where('e.expires_at', '>', now)
        .where('e.expires_at', '<=', now + leadMs)
        // A reminder whose moment had already passed when the expiry was set is noise, not news.
        .where(sql<boolean>`e.expires_at - ${leadMs} >= e.updated_at`)
        .where(
          this.claims.notTaken(
            { expiry_id: sql.ref('e.id'), expires_at: sql.ref('e.expires_at'), lead_ms: leadMs },
            now,
            staleMs,
          ),
        )
        .orderBy('e.expires_at')
        .limit(limit)
        .execute();
      for (const row of rows) due.push({ expiry: toExpiry(row), leadMs });
    }
    return due;
  }
}
