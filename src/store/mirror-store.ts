import { type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { ResourceRef } from '../domain/vocabulary.js';
import type {
  EnvironmentRef,
  ListedExpiry,
  MirrorCounts,
  MirroredExpiry,
  MirroredTarget,
} from '../domain/watch.js';
import { botKnowsIt, mirrorId, toMirroredExpiry } from './rows.js';
import type { Database } from './schema.js';
import { WatchReminderStore } from './watch-reminder-store.js';

/** What re-reading one flag or segment changed in the mirror. */
export interface ResourceDiff {
  added: number;
  moved: number;
  removed: number;
}

const BATCH = 500;

const ofResource = (r: ResourceRef) => (eb: ExpressionBuilder<Database, 'mirrored_expiries'>) =>
  eb.and([
    eb('project_key', '=', r.projectKey),
    eb('environment_key', '=', r.environmentKey),
    eb('resource_kind', '=', r.kind),
    eb('resource_key', '=', r.key),
  ]);

/** Mirrored rows (as `m`) of environments that one of `channelIds` watches; none for no channels. */
const watchedBy =
  (channelIds: readonly string[]) =>
  ({ exists, selectFrom }: ExpressionBuilder<Database & { m: Database['mirrored_expiries'] }, 'm'>) =>
    channelIds.length === 0
      ? sql<SqlBool>`1 = 0`
      : exists(
          selectFrom('watches as w')
            .select('w.channel_id')
            .where('w.channel_id', 'in', channelIds)
            .whereRef('w.project_key', '=', 'm.project_key')
            .whereRef('w.environment_key', '=', 'm.environment_key'),
        );

/** The mirror of LaunchDarkly's expiring targets in watched environments, and the lists read from it. */
export class MirrorStore {
  /** Reminders of mirrored expiries, per watching channel. */
  readonly reminders: WatchReminderStore;

  constructor(private readonly db: Kysely<Database>) {
    this.reminders = new WatchReminderStore(db);
  }

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
   * `/expire list`: expiries scheduled through the bot and those of the environments `channelIds`
   * watch (the asker's watching channels: a target the bot scheduled shows once, as the bot's),
   * soonest first, a page at a time.
   */
  async upcoming(
    now: number,
    channelIds: readonly string[],
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
      .where(watchedBy(channelIds))
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
      .where(watchedBy(channelIds))
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
}
