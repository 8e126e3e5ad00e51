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
  w: z.literal(1).optional(),
});

/**
 * The Home tab's menu option, `<verb> <expiry id> <instant>`: what to do, to which expiry, at which
 * instant. Not JSON: an overflow option's value must stay within 75 characters.
 */
export const homeChoice = z
  .string()
  .regex(/^(extend|remove|revoke) [^ ]{1,64} \d{1,16}$/)
  .transform((value) => {
    const [v, id, at] = value.split(' ') as ['extend' | 'remove' | 'revoke', string, string];
    return { v, id, at: Number(at) };
  });

export const homeChoiceValue = (v: 'extend' | 'remove' | 'revoke', id: string, at: number) =>
  `${v} ${id} ${at}`;
