import { VERBS } from '../domain/vocabulary.js';
import type { ExpiryStore } from '../store/expiry-store.js';
import type { ChangeResult } from './apply-change.js';

/** Who an expiry's reminders are for, and where they go. */
export interface Provenance {
  requestedBy: string;
  channelId: string;
  /** The message announcing the change: reminders go in its thread. */
  messageTs?: string;
}

/**
 * Keeps the store in step with what LaunchDarkly accepted: scheduled or moved expiries replace
 * what was stored (their reminders follow the new time), cancelled or removed ones are forgotten.
 */
export async function recordChange(
  result: ChangeResult,
  store: ExpiryStore,
  from: Provenance,
  now: number,
): Promise<void> {
  const { request } = result;
  const ok = result.results.filter((r) => r.ok);
  if (ok.length === 0) return;
  if (VERBS[request.verb].op === 'remove') {
    await store.removeTargets(
      request.resource,
      ok.map((r) => r.target),
    );
    return;
  }
  await store.upsert(
    ok.map((r) => ({
      resource: request.resource,
      target: r.target,
      expiresAt: r.expiresAt!,
      variationId: r.variationId,
      variationName: r.variation,
      targetType: r.targetType,
      ...from,
    })),
    now,
  );
}
