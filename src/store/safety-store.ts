import type { Kysely } from 'kysely';
import type { ConfirmationsTable, Database } from './schema.js';

export type Confirmation = ConfirmationsTable;

/** Confirmations for protected environments. (Requests delivered twice meet their job: see job-store.ts.) */
export class SafetyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createConfirmation(c: Omit<Confirmation, 'used_at' | 'outcome'>): Promise<void> {
    await this.db
      .insertInto('confirmations')
      .values({ ...c, used_at: null, outcome: null })
      .execute();
  }

  getConfirmation(id: string): Promise<Confirmation | undefined> {
    return this.db.selectFrom('confirmations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Uses a confirmation: true for exactly one caller, while it is unused and unexpired. */
  async useConfirmation(id: string, now: number, outcome: 'confirmed' | 'cancelled'): Promise<boolean> {
    const result = await this.db
      .updateTable('confirmations')
      .set({ used_at: now, outcome })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Makes a used confirmation usable again (what it confirmed failed), unless it has expired meanwhile. */
  async reopenConfirmation(id: string): Promise<void> {
    await this.db
      .updateTable('confirmations')
      .set({ used_at: null, outcome: null })
      .where('id', '=', id)
      .execute();
  }

  /** Forgets settled confirmations older than `before`. */
  async prune(before: number): Promise<void> {
    await this.db.deleteFrom('confirmations').where('expires_at', '<', before).execute();
  }
}
