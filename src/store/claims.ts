/** Keys written to a claim table per insert. */
const CLAIM_BATCH = 500;

/** A new claim row's own columns: held by `owner` since `now`, not finished. */
export const newClaim = (owner: string, now: number) => ({
  claimed_by: owner,
  claimed_at: now,
  outcome: null,
  posted_ts: null,
});

/**
 * Claims keys of a claim table (reminders, after-expiry notices) for one owner, across processes
 * sharing the database: `insert` writes the rows nobody has yet, a batch at a time, and returns
 * the keys it wrote; `takeOver` takes one claim another owner left stale and unfinished. Returns
 * the keys this owner now holds, in the order given.
 */
export async function claimAll<K>(
  keys: readonly K[],
  id: (key: K) => string,
  insert: (batch: K[]) => Promise<K[]>,
  takeOver: (key: K) => Promise<boolean>,
): Promise<K[]> {
  const held = new Set<string>();
  for (let i = 0; i < keys.length; i += CLAIM_BATCH) {
    for (const key of await insert(keys.slice(i, i + CLAIM_BATCH))) held.add(id(key));
  }
  for (const key of keys) {
    if (!held.has(id(key)) && (await takeOver(key))) held.add(id(key));
  }
  return keys.filter((key) => held.has(id(key)));
}
