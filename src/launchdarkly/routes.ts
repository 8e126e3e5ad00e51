/**
 * LaunchDarkly's routes, as in its OpenAPI description: the unit its per-route rate limits count, and
 * a label with few values for logs and metrics. To add one, add its template here (`{…}` matches one
 * path segment); an unknown path falls back to its first two segments after /api/v2.
 */
const TEMPLATES = [
  '/api/v2/caller-identity',
  '/api/v2/members/{id}',
  '/api/v2/projects',
  '/api/v2/projects/{projectKey}/environments',
  '/api/v2/projects/{projectKey}/context-kinds',
  '/api/v2/flags/{projectKey}',
  '/api/v2/flags/{projectKey}/{flagKey}',
  '/api/v2/flags/{projectKey}/{flagKey}/expiring-user-targets/{environmentKey}',
  '/api/v2/flags/{projectKey}/{flagKey}/expiring-targets/{environmentKey}',
  '/api/v2/segments/{projectKey}/{environmentKey}',
  '/api/v2/segments/{projectKey}/{environmentKey}/{segmentKey}',
  '/api/v2/segments/{projectKey}/{segmentKey}/expiring-user-targets/{environmentKey}',
  '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}',
  '/api/v2/auditlog',
  '/api/v2/projects/{projectKey}/flags/{flagKey}/environments/{environmentKey}/approval-requests',
  '/api/v2/projects/{projectKey}/flags/{flagKey}/environments/{environmentKey}/approval-requests/{id}',
  '/api/v2/projects/{projectKey}/flags/{flagKey}/environments/{environmentKey}/approval-requests/{id}/apply',
  '/api/v2/projects/{projectKey}/flags/{flagKey}/environments/{environmentKey}/approval-requests/{id}/reviews',
  '/api/v2/approval-requests',
  '/api/v2/approval-requests/{id}',
  '/api/v2/approval-requests/{id}/apply',
  '/api/v2/approval-requests/{id}/reviews',
].map((template) => template.split('/'));

/** `PATCH /api/v2/flags/{projectKey}/{flagKey}` for `PATCH /api/v2/flags/default/new-checkout`. */
export function routeOf(method: string, path: string): string {
  const parts = path.split('?')[0]!.split('/');
  const template = TEMPLATES.find(
    (t) => t.length === parts.length && t.every((p, i) => p.startsWith('{') || p === parts[i]),
  );
  return `${method} ${template ? template.join('/') : `${parts.slice(0, 4).join('/')}/…`}`;
}

/**
 * A LaunchDarkly path reduced to the kind of route it is (`flag-expiring-user-targets`,
 * `segments`, `caller-identity`, …), for metrics: project, flag and segment keys would make a
 * label per flag.
 */
export function routeKind(path: string): string {
  const parts = path.split('?')[0]!.split('/').slice(3); // after /api/v2
  const [collection, ...rest] = parts;
  const expiring = rest.find((p) => p === 'expiring-user-targets' || p === 'expiring-targets');
  switch (collection) {
    case 'flags':
      if (expiring) return `flag-${expiring}`;
      return rest.length <= 1 ? 'flags' : 'flag';
    case 'segments':
      if (expiring) return `segment-${expiring}`;
      return rest.length <= 2 ? 'segments' : 'segment';
    case 'projects':
      if (rest.includes('approval-requests')) return approvalRoute(rest.slice(6));
      if (rest.length <= 1) return rest.length === 0 ? 'projects' : 'project';
      return rest.length === 2 ? `project-${rest[1]}` : 'project-other';
    case 'approval-requests':
      return approvalRoute(rest);
    case 'caller-identity':
    case 'auditlog':
    case 'members':
    case 'webhooks':
      return rest.length === 0 ? collection : `${collection}-item`;
    default:
      return 'other';
  }
}

/** `approval-requests`, `approval-request`, `approval-request-apply`, `approval-request-reviews`. */
function approvalRoute(after: string[]): string {
  if (after.length === 0) return 'approval-requests';
  return after[1] ? `approval-request-${after[1]}` : 'approval-request';
}
