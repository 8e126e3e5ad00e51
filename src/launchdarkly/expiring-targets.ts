import type { z } from 'zod';
import type { ResourceKind } from '../domain/vocabulary.js';
import { contextInstruction, type ExpiryChange, userInstruction } from './instructions.js';
import type { ExpiringTarget, InstructionError } from './outcomes.js';
import * as schema from './schemas.js';

/**
 * One of the two endpoints that hold a flag's or segment's expiring targets, and how to speak to
 * it: what its path ends in, the instruction it takes, its answers, and how an item in them reads.
 */
export interface ExpiringEndpoint<Item> {
  path: 'expiring-user-targets' | 'expiring-targets';
  instruction: (kind: ResourceKind, change: ExpiryChange) => object;
  readAnswer: z.ZodType<{ items: Item[] }>;
  patchAnswer: z.ZodType<{ items?: Item[] | null | undefined; errors?: InstructionError[] | undefined }>;
  target: (item: Item) => ExpiringTarget;
}

function fromUserItem(item: z.output<typeof schema.expiringUserTargetItem>): ExpiringTarget {
  return {
    id: item._id,
    version: item._version,
    expirationDate: item.expirationDate,
    contextKind: 'user',
    key: item.userKey,
    variationId: item.variationId,
    targetType: item.targetType,
  };
}

function fromContextItem(item: z.output<typeof schema.expiringContextTargetItem>): ExpiringTarget {
  return {
    id: item._id,
    version: item._version,
    expirationDate: item.expirationDate,
    contextKind: item.contextKind,
    key: item.contextKey,
    variationId: item.variationId,
    targetType: item.targetType,
  };
}

/** Users only (the context endpoint may list them too: see `eachTargetOnce`). */
export const USER_TARGETS: ExpiringEndpoint<z.output<typeof schema.expiringUserTargetItem>> = {
  path: 'expiring-user-targets',
  instruction: userInstruction,
  readAnswer: schema.expiringUserTargetsResponse,
  patchAnswer: schema.expiringUserTargetsPatchResponse,
  target: fromUserItem,
};

/** Contexts of every kind. */
export const CONTEXT_TARGETS: ExpiringEndpoint<z.output<typeof schema.expiringContextTargetItem>> = {
  path: 'expiring-targets',
  instruction: contextInstruction,
  readAnswer: schema.expiringContextTargetsResponse,
  patchAnswer: schema.expiringContextTargetsPatchResponse,
  target: fromContextItem,
};

/** Both endpoints' answers, each target once (the context endpoint may repeat users), soonest first. */
export function eachTargetOnce(
  users: readonly ExpiringTarget[],
  contexts: readonly ExpiringTarget[],
): ExpiringTarget[] {
  const seen = new Map<string, ExpiringTarget>();
  for (const t of [...users, ...contexts]) {
    const id = `${t.contextKind}:${t.key}:${t.variationId ?? t.targetType ?? ''}`;
    if (!seen.has(id)) seen.set(id, t);
  }
  return [...seen.values()].sort((a, b) => a.expirationDate - b.expirationDate);
}
