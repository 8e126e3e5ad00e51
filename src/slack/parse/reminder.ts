import { z } from 'zod';

/** A reminder button's value. */
export const reminderRef = z.object({ id: z.string().min(1).max(64), at: z.number().int() });

/** The Extend modal's private_metadata: the expiry, and the reminder message to update. */
export const extendMetadata = reminderRef.extend({
  channel: z.string().regex(/^[A-Z0-9]{1,32}$/),
  ts: z.string().regex(/^\d+\.\d+$/),
});

export type ExtendMetadata = z.infer<typeof extendMetadata>;
