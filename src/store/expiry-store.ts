import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Expiry } from '../domain/expiry.js';
import type { Target } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import { AfterExpiryStore } from './after-expiry-store.js';
import { ReminderStore } from './reminder-store.js';
import { TARGET_COLUMNS, toExpiry } from './rows.js';
import type { Database } from './schema.js';

/** What a change hands the store: an expiry as LaunchDarkly now holds it, and where it was asked. */
export type NewExpiry = Omit<Expiry, 'id' | 'createdAt' | 'updatedAt'>;

const BATCH = 500;

const ofResource = (resource: ResourceRef) => (eb: ExpressionBuilder<Database, 'expiries'>) =>
  eb.and([
    eb('resource_kind', '=', resource.kind),
    eb('project_key', '=', resource.projectKey),
    eb('environment_key', '=', resource.environmentKey),
    eb('resource_key', '=', resource.key),
  ]);

const ofTargets = (targets: Target[]) => (eb: ExpressionBuilder<Database, 'expiries'>) =>
  eb.or(targets.map((t) => eb.and([eb('context_kind', '=', t.contextKind), eb('target_key', '=', t.key)])));

/** Expiries scheduled through the bot; their reminders and after-expiry notices in stores of their own. */
export class ExpiryStore {
  readonly reminders: ReminderStore;
  readonly passed: AfterExpiryStore;

  constructor(private readonly db: Kysely<Database>) {
    this.reminders = new ReminderStore(db);
    this.passed = new AfterExpiryStore(db);
  }

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
          oc.columns([...TARGET_COLUMNS]).doUpdateSet((eb) => ({
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
}
