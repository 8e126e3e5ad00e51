/** LaunchDarkly's semantic-patch instructions for expiring targets. */
import type { ExpiryOp, ResourceKind, TargetType } from '../domain/vocabulary.js';

/** One change to one target's expiry, independent of which endpoint carries it. */
export interface ExpiryChange {
  op: ExpiryOp;
  contextKind: string;
  key: string;
  /** Flags: the variation `_id` the target is served. */
  variationId?: string;
  /** Segments: whether the target is included or excluded. */
  targetType?: TargetType;
  /** Unix ms; required for add and update. */
  value?: number;
  /** The expiring target's `_version` (segment user endpoint: the segment version). */
  version?: number;
}

export interface UserExpiryInstruction {
  kind: 'addExpireUserTargetDate' | 'updateExpireUserTargetDate' | 'removeExpireUserTargetDate';
  userKey: string;
  variationId?: string;
  targetType?: TargetType;
  value?: number;
  version?: number;
}

export interface ContextExpiryInstruction {
  kind: 'addExpiringTarget' | 'updateExpiringTarget' | 'removeExpiringTarget';
  contextKey: string;
  contextKind: string;
  variationId?: string;
  targetType?: TargetType;
  value?: number;
  version?: number;
}

const USER_KINDS = {
  add: 'addExpireUserTargetDate',
  update: 'updateExpireUserTargetDate',
  remove: 'removeExpireUserTargetDate',
} as const;

const CONTEXT_KINDS = {
  add: 'addExpiringTarget',
  update: 'updateExpiringTarget',
  remove: 'removeExpiringTarget',
} as const;

/** Users go to the `expiring-user-targets` endpoints; every other context kind to `expiring-targets`. */
export const isUser = (change: { contextKind: string }) => change.contextKind === 'user';

/** Fields a resource kind's instructions carry: flags name a variation, segments a target type. */
function scope(kind: ResourceKind, change: ExpiryChange) {
  return kind === 'flag'
    ? { variationId: change.variationId }
    : { targetType: change.targetType ?? 'included' };
}

function timing(change: ExpiryChange) {
  if (change.op === 'remove') return {};
  return change.op === 'update' && change.version !== undefined
    ? { value: change.value, version: change.version }
    : { value: change.value };
}

export function userInstruction(kind: ResourceKind, change: ExpiryChange): UserExpiryInstruction {
  return { kind: USER_KINDS[change.op], userKey: change.key, ...scope(kind, change), ...timing(change) };
}

export function contextInstruction(kind: ResourceKind, change: ExpiryChange): ContextExpiryInstruction {
  return {
    kind: CONTEXT_KINDS[change.op],
    contextKey: change.key,
    contextKind: change.contextKind,
    ...scope(kind, change),
    ...timing(change),
  };
}
