import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Expiry } from '../domain/expiry.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { MirroredExpiry } from '../domain/watch.js';
import type { ExpiriesTable, MirroredExpiriesTable } from './schema.js';

/** Rows to domain types, and the SQL pieces that the expiries and the mirror share. */

export function toExpiry(row: ExpiriesTable): Expiry {
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

/** The columns naming one target of one flag or segment in one environment. */
export const TARGET_COLUMNS = [
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
