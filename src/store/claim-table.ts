import { type Kysely, sql } from 'kysely';
import type { ClaimColumns, Database } from './schema.js';

/** Claim tables, by name: the tables of `schema.ts` whose rows are `ClaimRow`s. */
export type ClaimTableName = {
  [T in keyof Database]-?: NonNullable<Database[T]> extends ClaimColumns ? T : never;
}[keyof Database];

/**
 * A claim's key: its fields are the table's key columns (strings and Unix ms), among them the
 * instant the work is for (`expiresAt`): a claim is pruned once that is long past.
 */
export type ClaimKey = Record<string, string | number> & { expiresAt: number };

export interface ClaimTableSpec<K extends ClaimKey> {
  table: ClaimTableName;
  /** Each key field's column, in the table's primary-key order. */
  columns: { readonly [F in keyof K]-?: string };
}

/**
 * Inside a subquery over a claim table aliased `alias`: the claim is settled, or held and not yet
 * stale. A due query shows only work without such a claim.
 */
export const takenBefore = (alias: string, now: number, staleMs: number) =>
  sql<boolean>`(${sql.ref(`${alias}.outcome`)} is not null or ${sql.ref(`${alias}.claimed_at`)} > ${now - staleMs})`;

/** Keys written or matched per statement: at most 1,600 parameters (8 columns × 200 rows). */
const BATCH = 200;

/**
 * The exactly-once rule, written once for every claim table (reminders, after-expiry notices, and
 * their per-channel twins of watched environments). A row's primary key is the claim: whoever
 * inserts it does the work, across processes sharing the database. A claim left unfinished for
 * longer than `staleMs` (its replica died) is taken over: a duplicate message beats a missing one.
 * Finished rows stay until pruned, so a replica that read the work just before it was settled
 * finds it taken.
 */
export class ClaimTable<K extends ClaimKey, Outcome extends string = string> {
  private readonly fields: Array<keyof K & string>;
  private readonly columns: string[];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly spec: ClaimTableSpec<K>,
  ) {
    this.fields = Object.keys(spec.columns) as Array<keyof K & string>;
    this.columns = this.fields.map((f) => spec.columns[f]);
  }

  /** The same table inside a transaction. */
  in(trx: Kysely<Database>): ClaimTable<K, Outcome> {
    return new ClaimTable(trx, this.spec);
  }

  /**
   * Claims keys for `owner`: inserts the rows nobody has yet (a batch at a time), then takes over
   * claims left stale and unfinished. Returns the keys this owner now holds, in the order given.
   */
  async claim(keys: readonly K[], owner: string, now: number, staleMs: number): Promise<K[]> {
    const held = new Set<string>();
    for (let i = 0; i < keys.length; i += BATCH) {
      const rows = await this.untyped
        .insertInto(this.spec.table)
        .values(
          keys.slice(i, i + BATCH).map((k) => ({
            ...this.row(k),
            claimed_by: owner,
            claimed_at: now,
            outcome: null,
            posted_ts: null,
          })),
        )
        .onConflict((oc) => oc.columns(this.columns).doNothing())
        .returning(this.columns)
        .execute();
      for (const row of rows) held.add(this.columns.map((c) => String(row[c])).join('\u0000'));
    }
    for (const key of keys) {
      if (held.has(this.id(key))) continue;
      const taken = await this.untyped
        .updateTable(this.spec.table)
        .set({ claimed_by: owner, claimed_at: now })
        .where(this.matching([key]))
        .where('outcome', 'is', null)
        .where('claimed_at', '<=', now - staleMs)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) held.add(this.id(key));
    }
    return keys.filter((key) => held.has(this.id(key)));
  }

  /**
   * For a due query: no claim of this table on the work the outer query names (`on`: each key
   * column and the outer column or value it must equal) is settled, or held and not yet stale.
   */
  notTaken(on: Record<string, unknown>, now: number, staleMs: number) {
    const equal = Object.entries(on).map(([column, value]) => sql`${sql.ref(`c.${column}`)} = ${value}`);
    return sql<boolean>`not exists (select 1 from ${sql.table(this.spec.table)} as c where ${sql.join(
      equal,
      sql` and `,
    )} and ${takenBefore('c', now, staleMs)})`;
  }

  /** Settles claims with what was done (and the message that said it). */
  async finish(keys: readonly K[], outcome: Outcome, postedTs?: string): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      await this.untyped
        .updateTable(this.spec.table)
        .set({ outcome, posted_ts: postedTs ?? null })
        .where(this.matching(keys.slice(i, i + BATCH)))
        .execute();
    }
  }

  /** Gives unfinished claims back (LaunchDarkly or Slack failed, or not yet): the next pass tries again. */
  async release(keys: readonly K[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      await this.untyped
        .deleteFrom(this.spec.table)
        .where(this.matching(keys.slice(i, i + BATCH)))
        .where('outcome', 'is', null)
        .execute();
    }
  }

  /**
   * Forgets settled claims made before `before` for an instant before `before`: work for an
   * instant that long gone is never due again (a reminder is due only before its instant).
   */
  async prune(before: number): Promise<void> {
    await this.untyped
      .deleteFrom(this.spec.table)
      .where('outcome', 'is not', null)
      .where('claimed_at', '<', before)
      .where(sql.ref(this.spec.columns.expiresAt), '<', before)
      .execute();
  }

  /** Migrations and claim tables name their columns at run time: the key columns are not typed here. */
  private get untyped(): Kysely<Record<string, Record<string, unknown>>> {
    return this.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  }

  private row(key: K): Record<string, string | number> {
    return Object.fromEntries(this.fields.map((f) => [this.spec.columns[f], key[f] as string | number]));
  }

  private id(key: K): string {
    return this.fields.map((f) => String(key[f])).join('\u0000');
  }

  /** `(c1, c2, …) in ((v1, v2, …), …)`: row values, which SQLite and PostgreSQL both read. */
  private matching(keys: readonly K[]) {
    const columns = sql.join(this.columns.map((c) => sql.ref(c)));
    const values = sql.join(keys.map((k) => sql`(${sql.join(this.fields.map((f) => k[f]))})`));
    return sql<boolean>`(${columns}) in (${values})`;
  }
}
