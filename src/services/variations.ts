import { targetLabel } from '../domain/targets.js';
import type { FlagRep } from '../launchdarkly/schemas.js';

type Variation = FlagRep['variations'][number];

/** A variation as people know it: its name, else its value. */
export function variationLabel(variation: Variation): string {
  if (variation.name) return variation.name;
  return typeof variation.value === 'string' ? variation.value : JSON.stringify(variation.value);
}

/**
 * Which variation each individually targeted key is served in an environment, by target label
 * (`sandy`, `organization:acme`). LaunchDarkly lists users under `targets` and other kinds under
 * `contextTargets`, by variation index.
 */
export function servedVariations(flag: FlagRep, environmentKey: string): Map<string, number> {
  const env = flag.environments?.[environmentKey];
  const served = new Map<string, number>();
  for (const t of [...(env?.targets ?? []), ...(env?.contextTargets ?? [])]) {
    for (const key of t.values)
      served.set(targetLabel({ contextKind: t.contextKind ?? 'user', key }), t.variation);
  }
  return served;
}

/** `--variation` by name, then value, then 0-based index. */
export function resolveVariation(
  flag: FlagRep,
  text: string,
): { ok: true; index: number } | { ok: false; problem: string } {
  const wanted = text.trim().toLowerCase();
  const byName = flag.variations.findIndex((v) => v.name?.toLowerCase() === wanted);
  if (byName >= 0) return { ok: true, index: byName };
  const byValue = flag.variations.findIndex(
    (v) => (typeof v.value === 'string' ? v.value : JSON.stringify(v.value)).toLowerCase() === wanted,
  );
  if (byValue >= 0) return { ok: true, index: byValue };
  if (/^\d+$/.test(wanted) && Number(wanted) < flag.variations.length)
    return { ok: true, index: Number(wanted) };
  const known = flag.variations.map((v, i) => `${i}: ${variationLabel(v)}`).join(', ');
  return { ok: false, problem: `${flag.key} has no variation "${text}". Its variations are ${known}.` };
}
