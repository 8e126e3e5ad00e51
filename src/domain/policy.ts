/**
 * Who may change which environments. A policy is a list of rules, written
 * `project/environment=who,who;…`: `project` and `environment` are keys or `*`, each `who` is a
 * Slack user id (U…/W…), a user group id (S…) or `*` for everyone. The most specific rule for a
 * project and environment decides (exact environment beats `*`, then exact project beats `*`);
 * where no rule covers an environment, nobody may change it. Reading is never restricted.
 */

export interface Rule {
  project: string;
  environment: string;
  who: string[];
  /** As written, for messages. */
  text: string;
}

export type Policy = Rule[];

/** Everyone may change every environment (protected ones still ask for confirmation). */
export const OPEN_POLICY = '*/*=*';

const KEY = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]*)$/;
const WHO = /^(\*|[UW][A-Z0-9]+|S[A-Z0-9]+)$/;

export function parsePolicy(text: string): { ok: true; policy: Policy } | { ok: false; problem: string } {
  const rules: Rule[] = [];
  for (const raw of text
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const match = /^([^/=\s]+)\/([^/=\s]+)\s*=\s*(.+)$/.exec(raw);
    if (!match) return { ok: false, problem: `"${raw}" is not project/environment=who,…` };
    const [, project, environment, whoText] = match as unknown as [string, string, string, string];
    if (!KEY.test(project) || !KEY.test(environment))
      return { ok: false, problem: `"${raw}" has a bad project or environment key` };
    const who = whoText
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean);
    const bad = who.find((w) => !WHO.test(w));
    if (bad || who.length === 0)
      return {
        ok: false,
        problem: `"${raw}": "${bad ?? ''}" is not *, a user id (U…) or a user group id (S…)`,
      };
    rules.push({ project, environment, who, text: raw });
  }
  if (rules.length === 0) return { ok: false, problem: 'has no rules' };
  return { ok: true, policy: rules };
}

/** The rule that decides for a project and environment, if any. */
export function ruleFor(policy: Policy, project: string, environment: string): Rule | undefined {
  const score = (r: Rule) =>
    (r.environment === environment ? 2 : r.environment === '*' ? 0 : -100) +
    (r.project === project ? 1 : r.project === '*' ? 0 : -100);
  return policy.filter((r) => score(r) >= 0).sort((a, b) => score(b) - score(a))[0];
}

/** Group ids a policy names, so callers look up only the memberships that matter. */
export function groupsIn(policy: Policy): string[] {
  return [...new Set(policy.flatMap((r) => r.who.filter((w) => w.startsWith('S'))))];
}

export type Decision = { allowed: true; rule: Rule } | { allowed: false; rule?: Rule };

export function decide(
  policy: Policy,
  request: { project: string; environment: string; userId: string; groups: readonly string[] },
): Decision {
  const rule = ruleFor(policy, request.project, request.environment);
  if (!rule) return { allowed: false };
  const allowed = rule.who.some((w) => w === '*' || w === request.userId || request.groups.includes(w));
  return allowed ? { allowed: true, rule } : { allowed: false, rule };
}
