import type { Target } from './targets.js';
import type { ResourceRef, TargetType } from './vocabulary.js';

/** One target's expiry on a flag or segment, as the bot remembers it. Times are Unix ms. */
export interface Expiry {
  id: string;
  resource: ResourceRef;
  target: Target;
  expiresAt: number;
  variationId?: string;
  variationName?: string;
  targetType?: TargetType;
  /** The Slack user who scheduled it, and the channel (and result message) it was announced in. */
  requestedBy: string;
  channelId: string;
  messageTs?: string;
  createdAt: number;
  updatedAt: number;
}
