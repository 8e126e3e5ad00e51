import type { ResourceKind } from '../domain/vocabulary.js';

/** LaunchDarkly rejects segment target operations above 1,500 per request. */
export const SEGMENT_BATCH_LIMIT = 1_500;
/** No documented limit for flags; 500 keeps each request small and a failure's blast radius too. */
export const DEFAULT_BATCH_SIZE = 500;

/** The most changes one request carries to a flag or a segment. */
export type BatchSizeFor = (kind: ResourceKind) => number;

/** The configured batch size (at least 1), capped for segments at LaunchDarkly's limit. */
export function batchSizes(configured: number | undefined): BatchSizeFor {
  const size = Math.max(1, configured ?? DEFAULT_BATCH_SIZE);
  return (kind) => (kind === 'segment' ? Math.min(size, SEGMENT_BATCH_LIMIT) : size);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
