import { z } from 'zod';
import type { ResourceKind, ResourceRef } from '../domain/vocabulary.js';
import type { LdHttp } from './http.js';
import { fullName } from './schemas.js';

// One parser for an audit-log entry, whether it comes from `POST /api/v2/auditlog` or a webhook
// ("The webhook payload is identical to an audit log entry"). Only what the bot reads is declared.
// The search that watching reads the log with is at the end.

const link = z.object({ href: z.string().optional() });

export const auditLogEntry = z.object({
  _id: z.string().min(1).max(100),
  date: z.number().int(),
  kind: z.string().optional(),
  name: z.string().optional(),
  accesses: z.array(z.object({ action: z.string().optional(), resource: z.string().optional() })),
  target: z.object({ resources: z.array(z.string()).optional() }).optional(),
  member: z
    .object({
      email: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
    })
    .optional(),
  token: z.object({ name: z.string().optional() }).optional(),
  subject: z.object({ name: z.string().optional() }).optional(),
});

export const auditLogPage = z.object({
  items: z.array(auditLogEntry),
  _links: z.record(z.string(), link).optional(),
});

export type AuditLogEntryRep = z.output<typeof auditLogEntry>;

/** What the bot takes from an entry: when, who, and which flags and segments it names. */
export interface AuditEntry {
  id: string;
  date: number;
  /** A person's name, or the token's or app's; undefined when the entry does not say. */
  actor: string | undefined;
  resources: ResourceRef[];
  /** What was done (`updateTargets`, `reviewApprovalRequest`, …). */
  actions: string[];
}

/**
 * `proj/default:env/production:flag/new-checkout;tag` → the flag new-checkout in default/production;
 * anything that is not a single flag or segment of one environment (globs, other kinds) → undefined.
 */
export function parseResourceSpecifier(specifier: string): ResourceRef | undefined {
  const parts = new Map<string, string>();
  for (const part of specifier.split(':')) {
    const slash = part.indexOf('/');
    if (slash <= 0) return undefined;
    parts.set(part.slice(0, slash), part.slice(slash + 1).split(';')[0]!);
  }
  const projectKey = parts.get('proj');
  const environmentKey = parts.get('env');
  const kind: ResourceKind | undefined = parts.has('flag')
    ? 'flag'
    : parts.has('segment')
      ? 'segment'
      : undefined;
  const key = kind && parts.get(kind);
  if (!projectKey || !environmentKey || !kind || !key) return undefined;
  if ([projectKey, environmentKey, key].some((k) => k.includes('*'))) return undefined;
  return { kind, projectKey, environmentKey, key };
}

/** The specifiers of every flag and every segment of one environment, for the audit-log search. */
export function environmentSpecifiers(projectKey: string, environmentKey: string): string[] {
  return [
    `proj/${projectKey}:env/${environmentKey}:flag/*`,
    `proj/${projectKey}:env/${environmentKey}:segment/*`,
  ];
}

function actorOf(e: AuditLogEntryRep): string | undefined {
  return fullName(e.member) || e.member?.email || e.token?.name || e.subject?.name || undefined;
}

export function toAuditEntry(e: AuditLogEntryRep): AuditEntry {
  const seen = new Map<string, ResourceRef>();
  for (const specifier of [...e.accesses.map((a) => a.resource), ...(e.target?.resources ?? [])]) {
    const ref = specifier ? parseResourceSpecifier(specifier) : undefined;
    if (ref) seen.set(`${ref.kind}/${ref.projectKey}/${ref.environmentKey}/${ref.key}`, ref);
  }
  const actions = [...new Set(e.accesses.flatMap((a) => (a.action ? [a.action] : [])))];
  return { id: e._id, date: e.date, actor: actorOf(e), resources: [...seen.values()], actions };
}

/** The audit log's largest page. */
export const AUDIT_PAGE_SIZE = 20;

/**
 * Audit-log entries about the flags and segments of one environment that came after `after`
 * (Unix ms, exclusive), newest first: one `POST /api/v2/auditlog` carries both resource
 * specifiers; further pages follow `_links.next`, at most `maxPages` of them.
 */
export async function searchAuditLog(
  http: LdHttp,
  projectKey: string,
  environmentKey: string,
  after: number | undefined,
  maxPages: number,
): Promise<AuditEntry[]> {
  const body = [
    { effect: 'allow', resources: environmentSpecifiers(projectKey, environmentKey), actions: ['*'] },
  ];
  const entries: AuditEntry[] = [];
  let path = '/api/v2/auditlog';
  let query: Record<string, string | number | undefined> = { limit: AUDIT_PAGE_SIZE, after };
  for (let pageNo = 0; pageNo < maxPages; pageNo++) {
    const answer = await http.search(path, body, auditLogPage, query);
    entries.push(...answer.items.map(toAuditEntry));
    const next = answer._links?.next?.href;
    if (!next || answer.items.length === 0) break;
    // Only the path and query of the link are followed: never another host.
    const url = new URL(next, 'http://launchdarkly.invalid');
    path = url.pathname;
    query = Object.fromEntries(url.searchParams);
  }
  return entries;
}
