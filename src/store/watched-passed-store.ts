import type { ExpressionBuilder, Kysely } from 'kysely';
import type { MirroredExpiry } from '../domain/watch.js';
import { ClaimTable, takenBefore } from './claim-table.js';
import { botKnowsIt, toMirroredExpiry } from './rows.js';
import type { Database } from './schema.js';

/** A watched expiry whose instant has passed, in one channel that watched its environment then. */
export interface PassedInChannel {
  channelId: string;
  /** Who started the channel's watch: told by DM when the channel refuses the bot. */
  watchedBy: string;
  expiry: MirroredExpiry;
  /** The bot scheduled this target in this channel: its thread is told, not the channel. */
  inThread: boolean;
}

export type WatchedPassedKey = { channelId: string; expiryId: string; expiresAt: number };

export type WatchedPassedOutcome = 'posted' | 'thread' | 'changed' | 'gone';

/**
 * Once a mirrored expiry's instant has passed, a channel was watching it when its instant was
 * first seen before that instant, and the channel watched then: only those are news there.
 */
const newsIn = (eb: ExpressionBuilder<Database, 'mirrored_expiries' | 'watches'>) =>
  eb.and([
    eb('watches.project_key', '=', eb.ref('mirrored_expiries.project_key')),
    eb('watches.environment_key', '=', eb.ref('mirrored_expiries.environment_key')),
    eb('mirrored_expiries.observed_at', '<=', eb.ref('mirrored_expiries.expires_at')),
    eb('watches.created_at', '<=', eb.ref('mirrored_expiries.expires_at')),
  ]);

/** Claims (as `a`) in the watching channel on the mirrored expiry at its present instant. */
const claimsInChannel = (eb: ExpressionBuilder<Database, 'mirrored_expiries' | 'watches'>) =>
  eb
    .selectFrom('watched_after_expiry as a')
    .select('a.expiry_id')
    .whereRef('a.channel_id', '=', 'watches.channel_id')
    .whereRef('a.expiry_id', '=', 'mirrored_expiries.id')
    .whereRef('a.expires_at', '=', 'mirrored_expiries.expires_at');

/**
 * What has been said in each watching channel once a watched expiry's instant passed: claims per
 * channel, expiry and instant (as reminders' are), and forgetting mirrored expiries told everywhere.
 */
export class WatchedPassedStore {
  readonly claims: ClaimTable<WatchedPassedKey, WatchedPassedOutcome>;

  constructor(private readonly db: Kysely<Database>) {
    this.claims = new ClaimTable<WatchedPassedKey, WatchedPassedOutcome>(db, {
      table: 'watched_after_expiry',
      columns: { channelId: 'channel_id', expiryId: 'expiry_id', expiresAt: 'expires_at' },
    });
  }

  /**
   * Passed watched expiries not yet settled in a channel that watched them, without a live claim
   * (one older than `staleMs` is taken over). Oldest first.
   */
  async passed(now: number, staleMs: number, limit: number): Promise<PassedInChannel[]> {
    const rows = await this.db
      .selectFrom('mirrored_expiries')
      .innerJoin('watches', (join) => join.on(newsIn))
      .selectAll('mirrored_expiries')
      .select((eb) => [
        'watches.channel_id as channel_id',
        'watches.created_by as watched_by',
        eb
          .exists(
            eb
              .selectFrom('expiries as x')
              .select('x.id')
              .whereRef('x.channel_id', '=', 'watches.channel_id')
              .where(botKnowsIt('mirrored_expiries')),
          )
          .as('in_thread'),
      ])
      .where('mirrored_expiries.expires_at', '<=', now)
      .where((eb) => eb.not(eb.exists(claimsInChannel(eb).where(takenBefore('a', now, staleMs)))))
      .orderBy('mirrored_expiries.expires_at')
      .orderBy('mirrored_expiries.id')
      .limit(limit)
      .execute();
    return rows.map(({ channel_id, watched_by, in_thread, ...row }) => ({
      channelId: channel_id,
      watchedBy: watched_by,
      expiry: toMirroredExpiry(row),
      inThread: Boolean(Number(in_thread)),
    }));
  }

  /**
   * Forgets mirrored expiries whose instant has passed and that no watching channel still has to
   * hear about (told, moved, or no news there). Returns how many.
   */
  async forgetTold(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom('mirrored_expiries')
      .where('mirrored_expiries.expires_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('watches')
              .select('watches.channel_id')
              .where(newsIn)
              .where((eb) => eb.not(eb.exists(claimsInChannel(eb).where('a.outcome', 'is not', null)))),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
