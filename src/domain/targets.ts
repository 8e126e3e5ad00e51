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
/**
 * Characters no key may hold: controls (BEL, ESC, NUL…), invisible formatting (zero-width space and
 * joiners, the BOM, soft hyphen) and bidirectional overrides, which make a key look like another.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** What a person is told about a target they wrote; tests assert these. */
export const TARGET_PROBLEMS = {
  none: 'No targets given.',
  tooMany: (count: number) => `That is ${count} targets; at most ${MAX_TARGETS} at once.`,
  kind: (written: string) => `"${written}" has a context kind LaunchDarkly does not accept.`,
  invisible: (written: string) =>
    `"${visible(written)}" contains a control, invisible or text-direction character (shown as [U+…]); LaunchDarkly keys cannot hold it. Retype the key.`,
  key: (written: string) => `"${written}" is not a valid target key.`,
};

/** The text with every invisible or control character spelled out, so a person can see where it is. */
export function visible(text: string): string {
  return text.replace(
    new RegExp(INVISIBLE.source, 'gu'),
    (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}

/** Whether a key holds a character LaunchDarkly keys must not (see INVISIBLE). */
export function hasInvisible(key: string): boolean {
  return INVISIBLE.test(key);
}

/** The most targets one request may name (LaunchDarkly's segment batch limit). */
export const MAX_TARGETS = 1_500;

export type TargetParse = { ok: true; targets: Target[] } | { ok: false; problem: string };

/** `sandy,bob,organization:acme` → targets, de-duplicated, in order. */
export function parseTargets(text: string): TargetParse {
  const parts = text
    // A byte order mark counts as whitespace to JavaScript; here it is an invisible character to refuse.
    .split(/(?:(?!\ufeff)[\s,])+/)
    .filter(Boolean);
  if (parts.length === 0) return { ok: false, problem: TARGET_PROBLEMS.none };
  if (parts.length > MAX_TARGETS) return { ok: false, problem: TARGET_PROBLEMS.tooMany(parts.length) };
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    const target =
      colon > 0
        ? { contextKind: part.slice(0, colon), key: part.slice(colon + 1) }
        : { contextKind: 'user', key: part };
    if (hasInvisible(part)) return { ok: false, problem: TARGET_PROBLEMS.invisible(part) };
    if (!CONTEXT_KIND.test(target.contextKind) || RESERVED_KINDS.has(target.contextKind)) {
      return { ok: false, problem: TARGET_PROBLEMS.kind(part) };
    }
    if (!CONTEXT_KEY.test(target.key)) return { ok: false, problem: TARGET_PROBLEMS.key(part) };
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
