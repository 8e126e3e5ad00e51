import type { z } from 'zod';
import type { provenanceSchema } from '../domain/change-request.js';
import { VERBS } from '../domain/vocabulary.js';
import type { ExpiryStore } from '../store/expiry-store.js';
import type { ChangeResult } from './apply-change.js';

export type Provenance = z.infer<typeof provenanceSchema>;

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
  // Targets waiting for a LaunchDarkly approval have no expiry yet: it is recorded once set.
  const ok = result.results.filter((r) => r.ok && !r.awaitingApproval);
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
