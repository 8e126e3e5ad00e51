import { z } from 'zod';

/** A reminder button's value. */
export const reminderRef = z.object({ id: z.string().min(1).max(64), at: z.number().int() });

/** The Extend modal's private_metadata: the expiry, and the reminder message to update (none from Home). */
export const extendMetadata = reminderRef.extend({
  channel: z
    .string()
    .regex(/^[A-Z0-9]{1,32}$/)
    .optional(),
  ts: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
  home: z.literal(true).optional(),
});

/** An after-expiry message's Remove now: the forgotten expiry, told in full (see PassedRef). */
export const passedRefSchema = z.object({
  r: z.tuple([z.enum(['flag', 'segment']), z.string(), z.string(), z.string()]),
  t: z.tuple([z.string(), z.string()]),
  tt: z.enum(['included', 'excluded']).optional(),
  by: z.string(),
  c: z.string(),
  m: z.string().optional(),
});

/** The Home tab's menu option: what to do, to which expiry, at which instant. */
export const homeChoice = z.object({
  v: z.enum(['extend', 'remove', 'revoke']),
  id: z.string().min(1).max(64),
  at: z.number().int(),
});

export type ExtendMetadata = z.infer<typeof extendMetadata>;
