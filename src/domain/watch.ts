import type { Expiry } from './expiry.js';
import type { Target } from './targets.js';
import type { ResourceKind, ResourceRef, TargetType } from './vocabulary.js';

/** A project and environment a channel follows. */
export interface EnvironmentRef {
  projectKey: string;
  environmentKey: string;
}

export interface Watch extends EnvironmentRef {
  channelId: string;
  createdBy: string;
  createdAt: number;
}

export type ScanPhase = 'flags' | 'segments';

/** A watched environment's state: its full scan (running or last finished) and its audit-log cursor. */
export interface WatchedEnvironment extends EnvironmentRef {
  scan: {
    gen: number;
    /** Undefined when no scan is running. */
    phase: ScanPhase | undefined;
    offset: number;
    startedAt: number | undefined;
    finishedAt: number | undefined;
  };
  sync: { after: number | undefined; ids: string[]; at: number | undefined };
}

/** One expiring target as LaunchDarkly holds it, read by a scan or a sync. */
export interface MirroredTarget {
  target: Target;
  expiresAt: number;
  variationId?: string;
  targetType?: TargetType;
}

export interface MirroredExpiry extends MirroredTarget {
  id: string;
  resource: ResourceRef;
  resourceName: string | undefined;
  setBy: string | undefined;
  observedAt: number;
}

/** What a watch's first scan found, for its answer. */
export interface MirrorCounts {
  targets: number;
  flags: number;
  segments: number;
}

export const resourceId = (r: ResourceRef) => `${r.kind}/${r.projectKey}/${r.environmentKey}/${r.key}`;
export const environmentId = (e: EnvironmentRef) => `${e.projectKey}/${e.environmentKey}`;
export type { ResourceKind };

/** One line of `/expire list`: an expiry scheduled through the bot, or one of a watched environment. */
export interface ListedExpiry {
  resource: ResourceRef;
  target: Target;
  expiresAt: number;
  /** Flags, when the bot scheduled it. */
  variationName?: string;
  targetType?: TargetType;
  /** The Slack user who scheduled it through the bot. */
  requestedBy?: string;
  /** Who set it in LaunchDarkly, when the audit log said (watched environments). */
  setBy?: string;
  source: 'bot' | 'watched';
}

/**
 * A mirrored expiry in the shape the bot's own take (reminder actions, the Home tab, after-expiry
 * messages). Nobody scheduled it through the bot: a change made to it is the clicker's, in the
 * channel and thread it was asked from.
 */
export function asExpiry(m: MirroredExpiry, channelId = ''): Expiry & { watched: true } {
  return {
    id: m.id,
    resource: m.resource,
    target: m.target,
    expiresAt: m.expiresAt,
    ...(m.variationId ? { variationId: m.variationId } : {}),
    ...(m.targetType ? { targetType: m.targetType } : {}),
    requestedBy: '',
    channelId,
    createdAt: m.observedAt,
    updatedAt: m.observedAt,
    watched: true,
  };
}
