import { randomUUID } from 'node:crypto';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Expiry } from '../domain/expiry.js';
import type { Target } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import { claimAll, newClaim } from './claims.js';
import { mirrorId } from './mirror-store.js';
import type { Database, ExpiriesTable } from './schema.js';

/** What a change hands the store: an expiry as LaunchDarkly now holds it, and where it was asked. */
export type NewExpiry = Omit<Expiry, 'id' | 'createdAt' | 'updatedAt'>;

export interface DueReminder {
  expiry: Expiry;
  leadMs: number;
}

export interface ReminderKey {
  expiryId: string;
  leadMs: number;
  expiresAt: number;
}

/** An expiry at the instant that passed: what an after-expiry claim is for. */
export interface PassedKey {
  expiryId: string;
  expiresAt: number;
}

const BATCH = 500;

function toExpiry(row: ExpiriesTable): Expiry {
  return {
    id: row.id,
    resource: {
      kind: row.resource_kind,
      projectKey: row.project_key,
      key: row.resource_key,
      environmentKey: row.environment_key,
    },
    target: { contextKind: row.context_kind, key: row.target_key },
    expiresAt: row.expires_at,
    variationId: row.variation_id ?? undefined,
    variationName: row.variation_name ?? undefined,
    targetType: row.target_type ?? undefined,
    requestedBy: row.requested_by,
    channelId: row.channel_id,
    messageTs: row.message_ts ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const ofResource = (resource: ResourceRef) => (eb: ExpressionBuilder<Database, 'expiries'>) =>
  eb.and([
    eb('resource_kind', '=', resource.kind),
    eb('project_key', '=', resource.projectKey),
    eb('environment_key', '=', resource.environmentKey),
    eb('resource_key', '=', resource.key),
  ]);

const ofTargets = (targets: Target[]) => (eb: ExpressionBuilder<Database, 'expiries'>) =>
  eb.or(targets.map((t) => eb.and([eb('context_kind', '=', t.contextKind), eb('target_key', '=', t.key)])));

/** Expiries scheduled through the bot, and the reminders claimed for them. */
export class ExpiryStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts or replaces (by flag/segment, environment and target) what LaunchDarkly now holds. */
  async upsert(expiries: NewExpiry[], now: number): Promise<void> {
    for (let i = 0; i < expiries.length; i += BATCH) {
      const rows = expiries.slice(i, i + BATCH).map((e) => ({
        id: randomUUID(),
        resource_kind: e.resource.kind,
        project_key: e.resource.projectKey,
        environment_key: e.resource.environmentKey,
        resource_key: e.resource.key,
        context_kind: e.target.contextKind,
        target_key: e.target.key,
        variation_id: e.variationId ?? null,
        variation_name: e.variationName ?? null,
        target_type: e.targetType ?? null,
        expires_at: e.expiresAt,
        requested_by: e.requestedBy,
        channel_id: e.channelId,
        message_ts: e.messageTs ?? null,
        created_at: now,
        updated_at: now,
      }));
      await this.db
        .insertInto('expiries')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns([
              'resource_kind',
              'project_key',
              'environment_key',
              'resource_key',
              'context_kind',
              'target_key',
            ])
            .doUpdateSet((eb) => ({
              expires_at: eb.ref('excluded.expires_at'),
              variation_id: eb.ref('excluded.variation_id'),
              variation_name: eb.ref('excluded.variation_name'),
              target_type: eb.ref('excluded.target_type'),
              requested_by: eb.ref('excluded.requested_by'),
              channel_id: eb.ref('excluded.channel_id'),
              message_ts: eb.ref('excluded.message_ts'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
        )
        .execute();
    }
  }

  /** Forgets the expiries of these targets (cancelled, or gone from LaunchDarkly). */
  async removeTargets(resource: ResourceRef, targets: Target[]): Promise<void> {
    for (let i = 0; i < targets.length; i += BATCH) {
      const batch = targets.slice(i, i + BATCH);
      await this.db.deleteFrom('expiries').where(ofResource(resource)).where(ofTargets(batch)).execute();
    }
  }

  /** Threads these targets' reminders under the message that announced their change. */
  async setThread(
    resource: ResourceRef,
    targets: Target[],
    channelId: string,
    messageTs: string,
  ): Promise<void> {
    for (let i = 0; i < targets.length; i += BATCH) {
      await this.db
        .updateTable('expiries')
        .set({ channel_id: channelId, message_ts: messageTs })
        .where(ofResource(resource))
        .where(ofTargets(targets.slice(i, i + BATCH)))
        .execute();
    }
  }

  async get(id: string): Promise<Expiry | undefined> {
    const row = await this.db.selectFrom('expiries').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toExpiry(row);
  }

  async setExpiresAt(id: string, expiresAt: number, now: number): Promise<void> {
    await this.db
      .updateTable('expiries')
      .set({ expires_at: expiresAt, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('expiries').where('id', '=', id).execute();
  }

  /** Expiries still ahead, soonest first. */
  async upcoming(
    now: number,
    page: { limit: number; offset: number },
  ): Promise<{ items: Expiry[]; total: number }> {
    const [items, total] = await Promise.all([
      this.db
        .selectFrom('expiries')
        .selectAll()
        .where('expires_at', '>', now)
        .orderBy('expires_at')
        .orderBy('resource_key')
        .orderBy('context_kind')
        .orderBy('target_key')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      this.db
        .selectFrom('expiries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow(),
    ]);
    return { items: items.map(toExpiry), total: Number(total.n) };
  }

  /** One person's expiries still ahead, soonest first, and how many there are in all. */
  async upcomingOf(
    requestedBy: string,
    now: number,
    limit: number,
  ): Promise<{ items: Expiry[]; total: number }> {
    const mine = this.db
      .selectFrom('expiries')
      .where('requested_by', '=', requestedBy)
      .where('expires_at', '>', now);
    const [items, total] = await Promise.all([
      mine
        .selectAll()
        .orderBy('expires_at')
        .orderBy('resource_key')
        .orderBy('context_kind')
        .orderBy('target_key')
        .limit(limit)
        .execute(),
      mine.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: items.map(toExpiry), total: Number(total.n) };
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
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('after_expiry as a')
              .select('a.expiry_id')
              .whereRef('a.expiry_id', '=', 'e.id')
              .whereRef('a.expires_at', '=', 'e.expires_at')
              .where((eb) =>
                eb.or([eb('a.outcome', 'is not', null), eb('a.claimed_at', '>', now - staleMs)]),
              ),
          ),
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

  /** Claims passed expiries for `owner` (as `claimMany` does reminders): returns those it now holds. */
  claimPassed(keys: PassedKey[], owner: string, now: number, staleMs: number): Promise<PassedKey[]> {
    return claimAll(
      keys,
      (k) => `${k.expiryId}|${k.expiresAt}`,
      async (batch) => {
        const inserted = await this.db
          .insertInto('after_expiry')
          .values(
            batch.map((k) => ({ expiry_id: k.expiryId, expires_at: k.expiresAt, ...newClaim(owner, now) })),
          )
          .onConflict((oc) => oc.columns(['expiry_id', 'expires_at']).doNothing())
          .returning(['expiry_id', 'expires_at'])
          .execute();
        return inserted.map((row) => ({ expiryId: row.expiry_id, expiresAt: Number(row.expires_at) }));
      },
      async (k) => {
        const taken = await this.db
          .updateTable('after_expiry')
          .set({ claimed_by: owner, claimed_at: now })
          .where(ExpiryStore.passedKey(k))
          .where('outcome', 'is', null)
          .where('claimed_at', '<=', now - staleMs)
          .executeTakeFirst();
        return Number(taken.numUpdatedRows) > 0;
      },
    );
  }

  /**
   * Settles a passed expiry: what was said is recorded and the expiry forgotten, together. An
   * expiry moved meanwhile (another instant) is kept: its new instant is still to come. A channel
   * that watches its environment and where it was scheduled is marked told (its thread was), so
   * that the watched after-expiry pass, which no longer finds the expiry, says nothing there.
   */
  async settlePassed(
    key: PassedKey,
    outcome: 'posted' | 'gone',
    now: number,
    postedTs?: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('after_expiry')
        .set({ outcome, posted_ts: postedTs ?? null })
        .where(ExpiryStore.passedKey(key))
        .execute();
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
      await trx
        .deleteFrom('expiries')
        .where('id', '=', key.expiryId)
        .where('expires_at', '=', key.expiresAt)
        .execute();
      await trx.deleteFrom('reminders').where('expiry_id', '=', key.expiryId).execute();
    });
  }

  /** LaunchDarkly holds the expiry for a later instant: follow it; that instant gets its own turn. */
  async followPassed(key: PassedKey, expiresAt: number, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('after_expiry')
        .set({ outcome: 'changed' })
        .where(ExpiryStore.passedKey(key))
        .execute();
      await trx
        .updateTable('expiries')
        .set({ expires_at: expiresAt, updated_at: now })
        .where('id', '=', key.expiryId)
        .where('expires_at', '=', key.expiresAt)
        .execute();
    });
  }

  /** Gives an after-expiry claim back (LaunchDarkly or Slack failed): the next pass tries again. */
  async releasePassed(key: PassedKey): Promise<void> {
    await this.db
      .deleteFrom('after_expiry')
      .where(ExpiryStore.passedKey(key))
      .where('outcome', 'is', null)
      .execute();
  }

  /** Forgets settled after-expiry rows claimed before `before`. */
  async prunePassed(before: number): Promise<void> {
    await this.db
      .deleteFrom('after_expiry')
      .where('outcome', 'is not', null)
      .where('claimed_at', '<', before)
      .execute();
  }

  private static passedKey(key: PassedKey) {
    return (eb: ExpressionBuilder<Database, 'after_expiry'>) =>
      eb.and([eb('expiry_id', '=', key.expiryId), eb('expires_at', '=', key.expiresAt)]);
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
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('reminders as r')
                .select('r.expiry_id')
                .whereRef('r.expiry_id', '=', 'e.id')
                .whereRef('r.expires_at', '=', 'e.expires_at')
                .where('r.lead_ms', '=', leadMs)
                .where((eb) =>
                  eb.or([eb('r.outcome', 'is not', null), eb('r.claimed_at', '>', now - staleMs)]),
                ),
            ),
          ),
        )
        .orderBy('e.expires_at')
        .limit(limit)
        .execute();
      for (const row of rows) due.push({ expiry: toExpiry(row), leadMs });
    }
    return due;
  }

  /**
   * Claims a reminder for `owner`: inserts its row, or takes over a stale unfinished claim. Exactly
   * one caller gets `true`, across processes sharing the database.
   */
  async claim(key: ReminderKey, owner: string, now: number, staleMs: number): Promise<boolean> {
    return (await this.claimMany([key], owner, now, staleMs)).length === 1;
  }

  /**
   * Claims many reminders at once (one insert per 500): returns the keys this owner now holds.
   * Keys another owner holds are taken over only when their claim is stale and unfinished.
   */
  claimMany(keys: ReminderKey[], owner: string, now: number, staleMs: number): Promise<ReminderKey[]> {
    return claimAll(
      keys,
      (k) => `${k.expiryId}|${k.leadMs}|${k.expiresAt}`,
      async (batch) => {
        const inserted = await this.db
          .insertInto('reminders')
          .values(
            batch.map((k) => ({
              expiry_id: k.expiryId,
              lead_ms: k.leadMs,
              expires_at: k.expiresAt,
              ...newClaim(owner, now),
            })),
          )
          .onConflict((oc) => oc.columns(['expiry_id', 'lead_ms', 'expires_at']).doNothing())
          .returning(['expiry_id', 'lead_ms', 'expires_at'])
          .execute();
        return inserted.map((row) => ({
          expiryId: row.expiry_id,
          leadMs: Number(row.lead_ms),
          expiresAt: Number(row.expires_at),
        }));
      },
      async (k) => {
        const taken = await this.db
          .updateTable('reminders')
          .set({ claimed_by: owner, claimed_at: now })
          .where(ExpiryStore.matching(k))
          .where('outcome', 'is', null)
          .where('claimed_at', '<=', now - staleMs)
          .executeTakeFirst();
        return Number(taken.numUpdatedRows) > 0;
      },
    );
  }

  async finish(
    key: ReminderKey,
    outcome: 'posted' | 'superseded' | 'changed' | 'gone',
    postedTs?: string,
  ): Promise<void> {
    await this.db
      .updateTable('reminders')
      .set({ outcome, posted_ts: postedTs ?? null })
      .where(ExpiryStore.matching(key))
      .execute();
  }

  /** Gives a claim back (LaunchDarkly or Slack failed): the next pass tries again. */
  async release(key: ReminderKey): Promise<void> {
    await this.db
      .deleteFrom('reminders')
      .where(ExpiryStore.matching(key))
      .where('outcome', 'is', null)
      .execute();
  }

  private static matching(key: ReminderKey) {
    return (eb: ExpressionBuilder<Database, 'reminders'>) =>
      eb.and([
        eb('expiry_id', '=', key.expiryId),
        eb('lead_ms', '=', key.leadMs),
        eb('expires_at', '=', key.expiresAt),
      ]);
  }
}
