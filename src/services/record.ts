import type { ExpiryStore } from '../store/expiry-store.js';
import type { ChangeResult } from './change.js';

export interface Provenance {
  requestedBy: string;
  channelId: string;
  /** The result message, when it was posted in the channel: reminders go in its thread. */
  messageTs?: string;
}

/**
 * Keeps the store in step with what LaunchDarkly accepted: scheduled or moved expiries replace
 * what was stored (their reminders follow the new time), cancelled ones are forgotten.
 */
export async function recordChange(
  result: ChangeResult,
  store: ExpiryStore,
  from: Provenance,
  now: number,
): Promise<void> {
  const { request } = result;
  const ok = result.results.filter((r) => r.ok);
  if (result.error || ok.length === 0) return;
  if (request.verb === 'remove') {
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
      expiresAt: request.expiresAt!,
      variationId: r.variationId,
      variationName: r.variation,
      targetType: r.targetType,
      ...from,
    })),
    now,
  );
}
