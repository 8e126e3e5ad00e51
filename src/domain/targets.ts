/** A target of an expiry: a user (`sandy`) or a context of another kind (`organization:acme`). */
export interface Target {
  contextKind: string;
  key: string;
}

/** LaunchDarkly keys of flags, segments, projects and environments. */
export const RESOURCE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;
/** Context kinds: letters, digits, dots, dashes, underscores; "kind" and "multi" are reserved. */
const CONTEXT_KIND = /^[A-Za-z0-9._-]{1,64}$/;
const RESERVED_KINDS = new Set(['kind', 'multi']);
/** Context keys may be almost anything; we only refuse what would break the command or Slack. */
const CONTEXT_KEY = /^[^\s,<>`]{1,256}$/;

/** The most targets one request may name (LaunchDarkly's segment batch limit). */
export const MAX_TARGETS = 1_500;

export type TargetParse = { ok: true; targets: Target[] } | { ok: false; problem: string };

/** `sandy,bob,organization:acme` → targets, de-duplicated, in order. */
export function parseTargets(text: string): TargetParse {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { ok: false, problem: 'No targets given.' };
  if (parts.length > MAX_TARGETS) {
    return { ok: false, problem: `That is ${parts.length} targets; at most ${MAX_TARGETS} at once.` };
  }
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    const target =
      colon > 0
        ? { contextKind: part.slice(0, colon), key: part.slice(colon + 1) }
        : { contextKind: 'user', key: part };
    if (!CONTEXT_KIND.test(target.contextKind) || RESERVED_KINDS.has(target.contextKind)) {
      return { ok: false, problem: `"${part}" has a context kind LaunchDarkly does not accept.` };
    }
    if (!CONTEXT_KEY.test(target.key)) return { ok: false, problem: `"${part}" is not a valid target key.` };
    const id = targetLabel(target);
    if (!seen.has(id)) {
      seen.add(id);
      targets.push(target);
    }
  }
  return { ok: true, targets };
}

/** How a person writes the target: `sandy` for a user, `organization:acme` otherwise. */
export function targetLabel(target: Target): string {
  return target.contextKind === 'user' ? target.key : `${target.contextKind}:${target.key}`;
}
