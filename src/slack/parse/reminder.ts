import { z } from 'zod';
import { EXPIRY_VERBS } from '../../domain/vocabulary.js';

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

/** The Home tab's menu: Extend (which opens a form) and the verbs done at once on an expiry. */
export const HOME_ACTIONS = ['extend', ...EXPIRY_VERBS] as const;
export type HomeAction = (typeof HOME_ACTIONS)[number];

/**
 * The Home tab's menu option, `<action> <expiry id> <instant>`: what to do, to which expiry, at
 * which instant. Not JSON: an overflow option's value must stay within 75 characters.
 */
export const homeChoice = z
  .string()
  .regex(new RegExp(`^(${HOME_ACTIONS.join('|')}) [^ ]{1,64} \\d{1,16}$`))
  .transform((value) => {
    const [v, id, at] = value.split(' ') as [HomeAction, string, string];
    return { v, id, at: Number(at) };
  });

export const homeChoiceValue = (v: HomeAction, id: string, at: number) => `${v} ${id} ${at}`;
