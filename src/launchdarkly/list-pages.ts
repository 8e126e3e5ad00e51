import type { z } from 'zod';
import type * as schema from './schemas.js';

/** LaunchDarkly's largest page for flag and segment lists. */
export const LIST_PAGE_SIZE = 100;

/** A flag or segment in a list, and whether it individually targets anyone in the environment. */
export interface ListedResource {
  key: string;
  name: string;
  /** undefined: the list did not say (read its expiring targets to know). */
  targeted: boolean | undefined;
}

export interface ListPage {
  items: ListedResource[];
  total: number | undefined;
  /** The offset of the next page; undefined on the last. */
  nextOffset: number | undefined;
}

/** What LaunchDarkly's flag and segment list pages have in common. */
interface PageRep<T> {
  items: T[];
  totalCount?: number | undefined;
  _links?: Record<string, { href?: string | undefined }> | undefined;
}

/** The page that starts at `offset`, and where the next one starts if there is one. */
export function listPage<T>(
  answer: PageRep<T>,
  offset: number,
  toItem: (item: T) => ListedResource,
): ListPage {
  const items = answer.items.map(toItem);
  const total = answer.totalCount;
  const end = offset + items.length;
  const hasNext = answer._links?.next?.href !== undefined;
  const more = items.length > 0 && (hasNext || (total !== undefined && end < total));
  return { items, total, nextOffset: more ? end : undefined };
}

/** A flag in a page read with `env=environmentKey&summary=0`, which carries its individual targets there. */
export function listedFlag(
  f: z.output<typeof schema.flagPage>['items'][number],
  environmentKey: string,
): ListedResource {
  const env = f.environments?.[environmentKey];
  const lists = [env?.targets, env?.contextTargets].filter((l) => Array.isArray(l));
  const targeted = lists.length === 0 ? undefined : lists.some((l) => l!.some((t) => t.values.length > 0));
  return { key: f.key, name: f.name, targeted };
}

/** A segment in a page: whether it includes or excludes anyone, when its lists say. */
export function listedSegment(s: z.output<typeof schema.segmentPage>['items'][number]): ListedResource {
  const users = [s.included, s.excluded].filter((l) => Array.isArray(l)) as string[][];
  const contexts = [s.includedContexts, s.excludedContexts].filter((l) => Array.isArray(l));
  const known = !s.unbounded && users.length + contexts.length > 0;
  const any =
    users.some((l) => l.length > 0) || contexts.some((l) => l!.some((c) => (c.values?.length ?? 0) > 0));
  return { key: s.key, name: s.name, targeted: any ? true : known ? false : undefined };
}
