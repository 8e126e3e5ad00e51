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
      if (rest.length <= 1) return rest.length === 0 ? 'projects' : 'project';
      return rest.length === 2 ? `project-${rest[1]}` : 'project-other';
    case 'caller-identity':
    case 'auditlog':
    case 'members':
    case 'webhooks':
      return rest.length === 0 ? collection : `${collection}-item`;
    default:
      return 'other';
  }
}
