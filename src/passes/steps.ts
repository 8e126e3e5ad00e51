import type { WebClient } from '@slack/web-api';
import { groupBy } from '../domain/group-by.js';
import { targetLabel } from '../domain/targets.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import { resourceId } from '../domain/watch.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError, LdNotFoundError } from '../launchdarkly/errors.js';
import type { ExpiringTarget } from '../launchdarkly/outcomes.js';
import type { Logger } from '../log.js';

/** What every claiming pass is given besides its stores. */
export interface ClaimingPassDeps {
  ld: LaunchDarklyClient;
  /** Where its messages go; a channel that refuses the bot: a DM (`postOrDm`). */
  slack: Pick<WebClient, 'chat'>;
  logger: Logger;
  /** This replica's name in claims. */
  owner: string;
  /**
   * A claim never settled within this time is taken over by the next pass. A replica that crashed
   * after posting but before recording it will so see its message posted twice: a duplicate
   * reminder beats a missing one, since a missing one costs someone their access.
   */
  staleMs?: number;
  /** At most this many per pass; the rest wait for the next. */
  batch?: number;
}

export const DEFAULT_STALE_MS = 5 * 60_000;

/** The names in a space-separated list, as a type: `Names<'a b'>` is `'a' | 'b'`. */
type Names<S extends string> = S extends `${infer Name} ${infer Rest}` ? Name | Names<Rest> : S;

/** A pass's figures (what it logs and returns), named in one space-separated list. */
export type Counts<S extends string> = Record<Names<S>, number>;

/** Each figure of `names` at zero. */
export const counts = <S extends string>(names: S): Counts<S> =>
  Object.fromEntries(names.split(' ').map((name) => [name, 0])) as Counts<S>;

/**
 * When several lead times have come for one reminder (the bot was down), one reminder says it all:
 * the one for the shortest lead that has come. Of the claimed `due`, returns those to post and
 * those superseded by a shorter lead; `group` names one reminder's leads together.
 */
export function nearestLeads<D extends { leadMs: number; expiry: { expiresAt: number } }>(
  due: readonly D[],
  held: (d: D) => boolean,
  group: (d: D) => string,
  leadTimesMs: readonly number[],
  now: number,
): { mine: D[]; superseded: D[] } {
  const mine: D[] = [];
  const superseded: D[] = [];
  for (const reminders of groupBy(due, group).values()) {
    const at = reminders[0]!.expiry.expiresAt;
    const nearestLead = Math.min(...leadTimesMs.filter((lead) => at - lead <= now));
    for (const d of reminders) {
      if (!held(d)) continue;
      (d.leadMs === nearestLead ? mine : superseded).push(d);
    }
  }
  return { mine, superseded };
}

/**
 * Reads LaunchDarkly once per flag or segment of `items` and hands each group its answer. A read
 * that fails is `failed` for that group (its claims go back; the next pass tries again); a flag or
 * segment that is gone reads as `gone` when given, else as a failure. Anything but a LaunchDarkly
 * error is a bug and escapes.
 */
export async function perResource<T, R>(
  items: readonly T[],
  resourceOf: (item: T) => ResourceRef,
  read: (resource: ResourceRef) => Promise<R>,
  on: {
    read: (items: T[], answer: R) => Promise<void>;
    failed: (items: T[], error: LdError) => Promise<void>;
    gone?: (items: T[]) => Promise<void>;
  },
  logger: Logger,
  what: string,
): Promise<number> {
  let reads = 0;
  for (const group of groupBy(items, (item) => resourceId(resourceOf(item))).values()) {
    const resource = resourceOf(group[0]!);
    let answer: R;
    try {
      reads++;
      answer = await read(resource);
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      if (error instanceof LdNotFoundError && on.gone) {
        await on.gone(group);
        continue;
      }
      logger.warn({ err: error, resource }, `${what} waits: LaunchDarkly read failed`);
      await on.failed(group, error);
      continue;
    }
    await on.read(group, answer);
  }
  return reads;
}

/** A flag or segment's expiring targets, by target label. */
export async function scheduledTargets(
  ld: LaunchDarklyClient,
  resource: ResourceRef,
): Promise<Map<string, ExpiringTarget>> {
  return new Map((await ld.getExpiringTargets(resource)).map((t) => [targetLabel(t), t]));
}

/**
 * What LaunchDarkly holds of a reminded expiry: nothing (removed or cancelled there: forget it),
 * another instant (moved: follow it, the new instant gets its own reminders), or the same one.
 */
export function compareScheduled(
  scheduled: ReadonlyMap<string, ExpiringTarget>,
  expiry: { target: { contextKind: string; key: string }; expiresAt: number },
): { is: 'gone' } | { is: 'moved'; to: number } | { is: 'same' } {
  const current = scheduled.get(targetLabel(expiry.target));
  if (!current) return { is: 'gone' };
  if (current.expirationDate !== expiry.expiresAt) return { is: 'moved', to: current.expirationDate };
  return { is: 'same' };
}
