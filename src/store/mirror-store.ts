import { createHash } from 'node:crypto';
import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { ResourceRef } from '../domain/vocabulary.js';
import type {
  EnvironmentRef,
  ListedExpiry,
  MirrorCounts,
  MirroredExpiry,
  MirroredTarget,
} from '../domain/watch.js';
import { claimAll, newClaim } from './claims.js';
import type { Database, MirroredExpiriesTable } from './schema.js';

/** A watched expiry due for a reminder in one watching channel. */
export interface DueWatchReminder {
  channelId: string;
  /** Who started the channel's watch: reminders go to them when the channel refuses the bot. */
  watchedBy: string;
  expiry: MirroredExpiry;
  leadMs: number;
}

export interface WatchReminderKey {
  channelId: string;
  expiryId: string;
  leadMs: number;
  expiresAt: number;
}

/** What re-reading one flag or segment changed in the mirror. */
export interface ResourceDiff {
  added: number;
  moved: number;
  removed: number;
}

const BATCH = 500;

/** Stable per target, so that reminder claims and buttons survive a re-read. */
export function mirrorId(r: ResourceRef, contextKind: string, key: string): string {
  const hash = createHash('sha256')
    .update([r.kind, r.projectKey, r.environmentKey, r.key, contextKind, key].join('\u0000'))
    .digest('base64url');
  return `w${hash.slice(0, 31)}`;
}

export function toMirroredExpiry(r: Selectable<MirroredExpiriesTable>): MirroredExpiry {
  return {
    id: r.id,
    resource: {
      kind: r.resource_kind,
      projectKey: r.project_key,
      environmentKey: r.environment_key,
      key: r.resource_key,
    },
    resourceName: r.resource_name ?? undefined,
    target: { contextKind: r.context_kind, key: r.target_key },
    expiresAt: Number(r.expires_at),
    ...(r.variation_id ? { variationId: r.variation_id } : {}),
    ...(r.target_type ? { targetType: r.target_type } : {}),
    setBy: r.set_by ?? undefined,
    observedAt: Number(r.observed_at),
  };
}

const TARGET_COLUMNS = [
  'resource_kind',
  'project_key',
  'environment_key',
  'resource_key',
  'context_kind',
  'target_key',
] as const;

/**
 * Inside a subquery over `expiries as x` correlated with the mirrored expiry `mirror` (its table
 * or alias): the bot scheduled this very target. Raw SQL over named columns, since Kysely cannot
 * type one helper across the aliases its callers use.
 */
export const botKnowsIt = (mirror = 'm') =>
  sql<boolean>`${sql.join(
    TARGET_COLUMNS.map((c) => sql`${sql.ref(`x.${c}`)} = ${sql.ref(`${mirror}.${c}`)}`),
    sql` and `,
  )}`;

const ofResource = (r: ResourceRef) => (eb: ExpressionBuilder<Database, 'mirrored_expiries'>) =>
  eb.and([
    eb('project_key', '=', r.projectKey),
    eb('environment_key', '=', r.environmentKey),
    eb('resource_kind', '=', r.kind),
    eb('resource_key', '=', r.key),
  ]);

/** The mirror of LaunchDarkly's expiring targets in watched environments, and its reminder claims. */
export class MirrorStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes the mirror hold exactly `targets` for one flag or segment. An instant that did not
   * change keeps when it was first seen and who set it; a new or moved one takes `setBy`. An
   * expiry whose instant has passed stays after LaunchDarkly carried it out, until the
   * after-expiry pass has told the watching channels (it forgets it then).
   */
  async replaceResource(
    resource: ResourceRef,
    resourceName: string | undefined,
    targets: readonly MirroredTarget[],
    gen: number,
    now: number,
    setBy?: string,
  ): Promise<ResourceDiff> {
    return this.db.transaction().execute(async (trx) => {
      const before = new Map(
        (await trx.selectFrom('mirrored_expiries').selectAll().where(ofResource(resource)).execute()).map(
          (r) => [r.id, r],
        ),
      );
      const diff: ResourceDiff = { added: 0, moved: 0, removed: 0 };
      const rows = targets.map((t) => {
        const id = mirrorId(resource, t.target.contextKind, t.target.key);
        const old = before.get(id);
        const same = old !== undefined && Number(old.expires_at) === t.expiresAt;
        if (!old) diff.added++;
        else if (!same) diff.moved++;
        return {
          id,
          project_key: resource.projectKey,
          environment_key: resource.environmentKey,
          resource_kind: resource.kind,
          resource_key: resource.key,
          resource_name: resourceName ?? old?.resource_name ?? null,
          context_kind: t.target.contextKind,
          target_key: t.target.key,
          variation_id: t.variationId ?? null,
          target_type: t.targetType ?? null,
          expires_at: t.expiresAt,
          set_by: same ? (old.set_by ?? null) : (setBy ?? null),
          observed_at: same ? Number(old.observed_at) : now,
          scan_gen: gen,
        };
      });
      const kept = new Set(rows.map((r) => r.id));
      const gone = [...before.values()].filter((r) => !kept.has(r.id));
      diff.removed = gone.length;
      rows.push(...gone.filter((r) => Number(r.expires_at) <= now).map((r) => ({ ...r, scan_gen: gen })));
      await trx.deleteFrom('mirrored_expiries').where(ofResource(resource)).execute();
      for (let i = 0; i < rows.length; i += BATCH) {
        await trx
          .insertInto('mirrored_expiries')
          .values(rows.slice(i, i + BATCH))
          .execute();
      }
      return diff;
    });
  }

  /** A flag or segment gone from LaunchDarkly (or targeting nobody): nothing of it is mirrored. */
  async forgetResource(resource: ResourceRef): Promise<void> {
    await this.db.deleteFrom('mirrored_expiries').where(ofResource(resource)).execute();
  }

  /**
   * After a full scan: rows of flags and segments that scan did not see are gone from LaunchDarkly,
   * except expiries whose instant has passed by `now` (the after-expiry pass forgets those).
   */
  async dropOlderThan(e: EnvironmentRef, gen: number, now: number): Promise<number> {
    const result = await this.db
      .deleteFrom('mirrored_expiries')
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey)
      .where('scan_gen', '<', gen)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async counts(e: EnvironmentRef, now: number): Promise<MirrorCounts> {
    const rows = await this.db
      .selectFrom('mirrored_expiries')
      .select((eb) => [
        'resource_kind',
        eb.fn.countAll<number>().as('targets'),
        eb.fn.count<number>('resource_key').distinct().as('resources'),
      ])
      .where('project_key', '=', e.projectKey)
      .where('environment_key', '=', e.environmentKey)
      .where('expires_at', '>', now)
      .groupBy('resource_kind')
      .execute();
    const of = (kind: string) => rows.find((r) => r.resource_kind === kind);
    return {
      targets: rows.reduce((n, r) => n + Number(r.targets), 0),
      flags: Number(of('flag')?.resources ?? 0),
      segments: Number(of('segment')?.resources ?? 0),
    };
  }

  async get(id: string): Promise<MirroredExpiry | undefined> {
    const row = await this.db
      .selectFrom('mirrored_expiries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toMirroredExpiry(row);
  }

  async ofResource(resource: ResourceRef): Promise<MirroredExpiry[]> {
    const rows = await this.db
      .selectFrom('mirrored_expiries')
      .selectAll()
      .where(ofResource(resource))
      .orderBy('expires_at')
      .execute();
    return rows.map(toMirroredExpiry);
  }

  /** Follows a change made through the bot at once, before the next sync reads it back. */
  async setExpiresAt(id: string, expiresAt: number, now: number, setBy?: string): Promise<void> {
    await this.db
      .updateTable('mirrored_expiries')
      .set({ expires_at: expiresAt, observed_at: now, ...(setBy ? { set_by: setBy } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('mirrored_expiries').where('id', '=', id).execute();
  }

  /**
   * `/expire list`: expiries scheduled through the bot and those of watched environments (a target
   * the bot scheduled shows once, as the bot's), soonest first, a page at a time.
   */
  async upcoming(
    now: number,
    page: { limit: number; offset: number },
  ): Promise<{ items: ListedExpiry[]; total: number }> {
    const own = this.db
      .selectFrom('expiries as e')
      .select([
        sql<string>`'bot'`.as('source'),
        'e.resource_kind',
        'e.project_key',
        'e.environment_key',
        'e.resource_key',
        'e.context_kind',
        'e.target_key',
        'e.variation_name',
        'e.target_type',
        'e.expires_at',
        sql<string | null>`e.requested_by`.as('requested_by'),
        sql<string | null>`null`.as('set_by'),
      ])
      .where('e.expires_at', '>', now);
    const watched = this.db
      .selectFrom('mirrored_expiries as m')
      .select([
        sql<string>`'watched'`.as('source'),
        'm.resource_kind',
        'm.project_key',
        'm.environment_key',
        'm.resource_key',
        'm.context_kind',
        'm.target_key',
        sql<string | null>`null`.as('variation_name'),
        'm.target_type',
        'm.expires_at',
        sql<string | null>`null`.as('requested_by'),
        'm.set_by',
      ])
      .where('m.expires_at', '>', now)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('expiries as x').select('x.id').where(botKnowsIt()))),
      );
    const [rows, ownCount, watchedCount] = await Promise.all([
      own
        .unionAll(watched)
        .orderBy('expires_at')
        .orderBy('resource_key')
        .orderBy('context_kind')
        .orderBy('target_key')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      own
        .clearSelect()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      watched
        .clearSelect()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    const items = rows.map(
      (r): ListedExpiry => ({
        resource: {
          kind: r.resource_kind,
          projectKey: r.project_key,
          environmentKey: r.environment_key,
          key: r.resource_key,
        },
        target: { contextKind: r.context_kind, key: r.target_key },
        expiresAt: Number(r.expires_at),
        ...(r.variation_name ? { variationName: r.variation_name } : {}),
        ...(r.target_type ? { targetType: r.target_type } : {}),
        ...(r.requested_by ? { requestedBy: r.requested_by } : {}),
        ...(r.set_by ? { setBy: r.set_by } : {}),
        source: r.source === 'bot' ? 'bot' : 'watched',
      }),
    );
    return { items, total: Number(ownCount.n) + Number(watchedCount.n) };
  }

  /**
   * The Home tab: expiries still ahead in the environments `channelIds` watch, soonest first, at
   * most `limit`, and how many in all; a target the bot scheduled is left to its own listing.
   */
  async upcomingIn(
    channelIds: readonly string[],
    now: number,
    limit: number,
  ): Promise<{ items: MirroredExpiry[]; total: number }> {
    if (channelIds.length === 0) return { items: [], total: 0 };
    const query = this.db
      .selectFrom('mirrored_expiries as m')
      .where('m.expires_at', '>', now)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('watches as w')
            .select('w.channel_id')
            .where('w.channel_id', 'in', channelIds)
            .whereRef('w.project_key', '=', 'm.project_key')
            .whereRef('w.environment_key', '=', 'm.environment_key'),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('expiries as x').select('x.id').where(botKnowsIt()))),
      );
    const [rows, count] = await Promise.all([
      query
        .selectAll('m')
        .orderBy('m.expires_at')
        .orderBy('m.resource_key')
        .orderBy('m.context_kind')
        .orderBy('m.target_key')
        .limit(limit)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toMirroredExpiry), total: Number(count.n) };
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
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('watch_reminders as r')
                .select('r.expiry_id')
                .whereRef('r.channel_id', '=', 'w.channel_id')
                .whereRef('r.expiry_id', '=', 'm.id')
                .whereRef('r.expires_at', '=', 'm.expires_at')
                .where('r.lead_ms', '=', leadMs)
                .where((eb) =>
                  eb.or([eb('r.outcome', 'is not', null), eb('r.claimed_at', '>', now - staleMs)]),
                ),
            ),
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

  /** Claims reminders (one insert per 500); returns those this owner now holds, stale claims taken over. */
  claimMany(
    keys: WatchReminderKey[],
    owner: string,
    now: number,
    staleMs: number,
  ): Promise<WatchReminderKey[]> {
    return claimAll(
      keys,
      (k) => `${k.channelId}|${k.expiryId}|${k.leadMs}|${k.expiresAt}`,
      async (batch) => {
        const inserted = await this.db
          .insertInto('watch_reminders')
          .values(
            batch.map((k) => ({
              channel_id: k.channelId,
              expiry_id: k.expiryId,
              lead_ms: k.leadMs,
              expires_at: k.expiresAt,
              ...newClaim(owner, now),
            })),
          )
          .onConflict((oc) => oc.columns(['channel_id', 'expiry_id', 'lead_ms', 'expires_at']).doNothing())
          .returning(['channel_id', 'expiry_id', 'lead_ms', 'expires_at'])
          .execute();
        return inserted.map((r) => ({
          channelId: r.channel_id,
          expiryId: r.expiry_id,
          leadMs: Number(r.lead_ms),
          expiresAt: Number(r.expires_at),
        }));
      },
      async (k) => {
        const taken = await this.db
          .updateTable('watch_reminders')
          .set({ claimed_by: owner, claimed_at: now })
          .where(MirrorStore.matching(k))
          .where('outcome', 'is', null)
          .where('claimed_at', '<=', now - staleMs)
          .executeTakeFirst();
        return Number(taken.numUpdatedRows) > 0;
      },
    );
  }

  async finish(
    key: WatchReminderKey,
    outcome: 'posted' | 'superseded' | 'changed' | 'gone',
    postedTs?: string,
  ): Promise<void> {
    await this.db
      .updateTable('watch_reminders')
      .set({ outcome, posted_ts: postedTs ?? null })
      .where(MirrorStore.matching(key))
      .execute();
  }

  /** Settles the reminders of one message at once: one update per channel, lead time and instant. */
  async finishMany(
    keys: readonly WatchReminderKey[],
    outcome: 'posted' | 'gone',
    postedTs?: string,
  ): Promise<void> {
    const groups = new Map<string, WatchReminderKey[]>();
    for (const k of keys) {
      const id = `${k.channelId}|${k.leadMs}|${k.expiresAt}`;
      groups.set(id, [...(groups.get(id) ?? []), k]);
    }
    for (const group of groups.values()) {
      const { channelId, leadMs, expiresAt } = group[0]!;
      for (let i = 0; i < group.length; i += BATCH) {
        await this.db
          .updateTable('watch_reminders')
          .set({ outcome, posted_ts: postedTs ?? null })
          .where('channel_id', '=', channelId)
          .where('lead_ms', '=', leadMs)
          .where('expires_at', '=', expiresAt)
          .where(
            'expiry_id',
            'in',
            group.slice(i, i + BATCH).map((k) => k.expiryId),
          )
          .execute();
      }
    }
  }

  async release(key: WatchReminderKey): Promise<void> {
    await this.db
      .deleteFrom('watch_reminders')
      .where(MirrorStore.matching(key))
      .where('outcome', 'is', null)
      .execute();
  }

  private static matching(key: WatchReminderKey) {
    return (eb: ExpressionBuilder<Database, 'watch_reminders'>) =>
      eb.and([
        eb('channel_id', '=', key.channelId),
        eb('expiry_id', '=', key.expiryId),
        eb('lead_ms', '=', key.leadMs),
        eb('expires_at', '=', key.expiresAt),
      ]);
  }
}
