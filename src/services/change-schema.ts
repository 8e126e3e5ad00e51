import { z } from 'zod';
import type { ChangeRequest } from './change.js';

/** A ChangeRequest as stored while it waits for confirmation; read back through this schema. */
export const changeRequestSchema: z.ZodType<ChangeRequest> = z.object({
  verb: z.enum(['add', 'update', 'remove']),
  resource: z.object({
    kind: z.enum(['flag', 'segment']),
    projectKey: z.string(),
    key: z.string(),
    environmentKey: z.string(),
  }),
  targets: z.array(z.object({ contextKind: z.string(), key: z.string() })).max(1_500),
  expiresAt: z.number().int().optional(),
  variation: z.string().optional(),
  targetType: z.enum(['included', 'excluded']),
  grant: z.boolean(),
  comment: z.string(),
});
