import type { ResourceRef } from '../domain/vocabulary.js';

// The LaunchDarkly paths the client sends to, each key percent-encoded: a key is whatever a person
// typed into LaunchDarkly. routes.ts names the same paths for rate limits and metrics.

const seg = encodeURIComponent;

export const environmentsPath = (projectKey: string) => `/api/v2/projects/${seg(projectKey)}/environments`;

export const flagsPath = (projectKey: string) => `/api/v2/flags/${seg(projectKey)}`;

export const flagPath = (projectKey: string, flagKey: string) => `${flagsPath(projectKey)}/${seg(flagKey)}`;

export const segmentsPath = (projectKey: string, environmentKey: string) =>
  `/api/v2/segments/${seg(projectKey)}/${seg(environmentKey)}`;

export const segmentPath = (projectKey: string, environmentKey: string, segmentKey: string) =>
  `${segmentsPath(projectKey, environmentKey)}/${seg(segmentKey)}`;

/** A flag's or segment's expiring targets in one environment: users, or contexts of every kind. */
export function expiringPath(
  ref: ResourceRef,
  endpoint: 'expiring-user-targets' | 'expiring-targets',
): string {
  const collection = ref.kind === 'flag' ? 'flags' : 'segments';
  return `/api/v2/${collection}/${seg(ref.projectKey)}/${seg(ref.key)}/${endpoint}/${seg(ref.environmentKey)}`;
}

export const memberPath = (memberId: string) => `/api/v2/members/${seg(memberId)}`;
