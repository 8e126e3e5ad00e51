import { z } from 'zod';

/** A reminder button's value. */
export const reminderRef = z.object({ id: z.string().min(1).max(64), at: z.number().int() });

/** The Extend modal's private_metadata: the expiry, and the reminder message to update. */
export const extendMetadata = reminderRef.extend({
  channel: z.string().regex(/^[A-Z0-9]{1,32}$/),
  ts: z.string().regex(/^\d+\.\d+$/),
});

export type ExtendMetadata = z.infer<typeof extendMetadata>;

/** Parses JSON text with a schema; undefined for anything else (tampered, truncated, stale). */
export function parseJson<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
