import { z } from 'zod';
import { MAX_TARGETS } from './targets.js';
import { RESOURCE_KINDS, TARGET_TYPES, VERB_NAMES } from './vocabulary.js';

const shift = z.object({
  amount: z.number().int().positive(),
  unit: z.enum(['minute', 'hour', 'day', 'week', 'month']),
});

/**
 * What a person asks for, from any surface (the command, the form, a button): declared once as a
 * schema, since a request is also stored while it waits for a confirmation and read back.
 */
export const changeRequestSchema = z.object({
  verb: z.enum(VERB_NAMES),
  resource: z.object({
    kind: z.enum(RESOURCE_KINDS),
    projectKey: z.string(),
    key: z.string(),
    environmentKey: z.string(),
  }),
  targets: z.array(z.object({ contextKind: z.string(), key: z.string() })).max(MAX_TARGETS),
  /** Unix ms: the new expiry, for verbs that take a time (add, update). */
  expiresAt: z.number().int().optional(),
  /** extend: how much later, counted in the asker's zone. */
  extendBy: z.object({ shift, timeZone: z.string() }).optional(),
  /** Flags: a variation name, value or index, when it can't be worked out. */
  variation: z.string().optional(),
  /** Segments. */
  targetType: z.enum(TARGET_TYPES),
  /** Add the targets to individual targeting / the segment first when missing. */
  grant: z.boolean(),
  /** Names the Slack user and the command, for LaunchDarkly's audit log. */
  comment: z.string(),
  /** The time as the person typed it ("in 2 weeks"), shown to approvers beside the date. */
  words: z.string().max(200).optional(),
  /** Why, when the person said (`--reason "…"`, the form's reason): shown to approvers. */
  reason: z.string().max(500).optional(),
});

export type ChangeRequest = z.infer<typeof changeRequestSchema>;

/** Who asks, and where the answer goes. */
export const requesterSchema = z.object({
  userId: z.string(),
  userName: z.string(),
  teamDomain: z.string().optional(),
  channelId: z.string(),
  channelName: z.string().optional(),
});

export type Requester = z.infer<typeof requesterSchema>;

/**
 * Who an expiry's reminders are for and where they go (the message announcing it: its thread); a
 * watched expiry changed by a click becomes the clicker's.
 */
export const provenanceSchema = z.object({
  requestedBy: z.string(),
  channelId: z.string(),
  messageTs: z.string().optional(),
});
