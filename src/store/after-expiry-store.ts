import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Expiry } from '../domain/expiry.js';
import { ClaimTable } from './claim-table.js';
import { mirrorId, toExpiry } from './rows.js';
import type { Database } from './schema.js';

/** An expiry at the instant that passed: what an after-expiry claim is for. */
export type PassedKey = { expiryId: string; expiresAt: number };

export const passedKey = (e: Expiry): PassedKey => ({ expiryId: e.id, expiresAt: e.expiresAt });

/** The expiry of a claim, still at the instant that passed (moved since: another instant, kept). */
const atPassedInstant = (key: PassedKey) => (eb: ExpressionBuilder<Database, 'expiries'>) =>
  eb.and([eb('id', '=', key.expiryId), eb('expires_at', '=', key.expiresAt)]);

/** What was said once the bot's own expiries passed: their claims, and forgetting them once told. */
export class AfterExpiryStore {
  readonly claims: ClaimTable<PassedKey, 'posted' | 'changed' | 'gone'>;

  constructor(private readonly db: Kysely<Database>) {
    this.claims = new ClaimTable<PassedKey, 'posted' | 'changed' | 'gone'>(db, {
      table: 'after_expiry',
      columns: { expiryId: 'expiry_id', expiresAt: 'expires_at' },
    });
  }

  /**
   * Expiries whose instant has passed and that nobody has settled: no finished after-expiry row
   * for that instant and no live claim (one older than `staleMs` is taken over). Oldest first.
   */
  async passed(now: number, staleMs: number, limit: number): Promise<Expiry[]> {
    const rows = await this.db
      .selectFrom('expiries as e')
      .selectAll('e')
      .where('e.expires_at', '<=', now)
      .where(
        this.claims.notTaken(
          { expiry_id: sql.ref('e.id'), expires_at: sql.ref('e.expires_at') },
          now,
          staleMs,
        ),
      )
      .orderBy('e.expires_at')
      .orderBy('e.resource_key')
      .orderBy('e.context_kind')
      .orderBy('e.target_key')
      .limit(limit)
      .execute();
    return rows.map(toExpiry);
  }

  /**
   * Settles a passed expiry: what was said is recorded and the expiry forgotten, together. An
   * expiry moved meanwhile (another instant) is kept: its new instant is still to come. A channel
   * that watches its environment and where it was scheduled is marked told (its thread was), so
   * that the watched after-expiry pass, which no longer finds the expiry, says nothing there.
   */
  async settle(key: PassedKey, outcome: 'posted' | 'gone', now: number, postedTs?: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.claims.in(trx).finish([key], outcome, postedTs);
      const told = await trx
        .selectFrom('expiries as e')
        .innerJoin('watches as w', (join) =>
          join
            .onRef('w.channel_id', '=', 'e.channel_id')
            .onRef('w.project_key', '=', 'e.project_key')
            .onRef('w.environment_key', '=', 'e.environment_key'),
        )
        .selectAll('e')
        .where('e.id', '=', key.expiryId)
        .where('e.expires_at', '=', key.expiresAt)
        .executeTakeFirst();
      if (told) {
        const expiry = toExpiry(told);
        await trx
          .insertInto('watched_after_expiry')
          .values({
            channel_id: expiry.channelId,
            expiry_id: mirrorId(expiry.resource, expiry.target.contextKind, expiry.target.key),
            expires_at: expiry.expiresAt,
            claimed_by: 'thread',
            claimed_at: now,
            outcome: 'thread',
            posted_ts: postedTs ?? null,
          })
          .onConflict((oc) => oc.columns(['channel_id', 'expiry_id', 'expires_at']).doNothing())
          .execute();
      }
      await trx.deleteFrom('expiries').where(atPassedInstant(key)).execute();
      await trx.deleteFrom('reminders').where('expiry_id', '=', key.expiryId).execute();
    });
  }

  /** LaunchDarkly holds the expiry for a later instant: follow it; that instant gets its own turn. */
  async follow(key: PassedKey, expiresAt: number, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.claims.in(trx).finish([key], 'changed');
      await trx
        .updateTable('expiries')
        .set({ expires_at: expiresAt, updated_at: now })
        .where(atPassedInstant(key))
        .execute();
    });
  }
}
