import { z } from 'zod';

// Only the fields the bot reads are declared; zod drops the rest (including environments' SDK
// keys, which therefore never travel further than this file).

const resourceId = z.object({
  kind: z.string().optional(),
  projectKey: z.string().optional(),
  environmentKey: z.string().optional(),
  key: z.string().optional(),
  flagKey: z.string().optional(),
});

export const expiringUserTargetItem = z.object({
  _id: z.string(),
  _version: z.number().int(),
  expirationDate: z.number().int(),
  userKey: z.string(),
  targetType: z.enum(['included', 'excluded']).optional(),
  variationId: z.string().optional(),
  _resourceId: resourceId,
});

export const expiringContextTargetItem = z.object({
  _id: z.string(),
  _version: z.number().int(),
  expirationDate: z.number().int(),
  contextKind: z.string(),
  contextKey: z.string(),
  targetType: z.enum(['included', 'excluded']).optional(),
  variationId: z.string().optional(),
  _resourceId: resourceId,
});

export const expiringUserTargetsResponse = z.object({ items: z.array(expiringUserTargetItem) });
export const expiringContextTargetsResponse = z.object({ items: z.array(expiringContextTargetItem) });

const patchOutcome = {
  totalInstructions: z.number().int().optional(),
  successfulInstructions: z.number().int().optional(),
  failedInstructions: z.number().int().optional(),
  errors: z.array(z.object({ instructionIndex: z.number().int(), message: z.string() })).optional(),
};

export const expiringUserTargetsPatchResponse = z.object({
  items: z.array(expiringUserTargetItem).nullish(),
  ...patchOutcome,
});
export const expiringContextTargetsPatchResponse = z.object({
  items: z.array(expiringContextTargetItem).nullish(),
  ...patchOutcome,
});

export const errorBody = z.object({ code: z.string().optional(), message: z.string().optional() });

const variation = z.object({
  _id: z.string(),
  name: z.string().optional(),
  value: z.unknown(),
});

const flagTarget = z.object({
  values: z.array(z.string()),
  variation: z.number().int(),
  contextKind: z.string().optional(),
});

const flagEnvironment = z.object({
  on: z.boolean().optional(),
  version: z.number().int().optional(),
  targets: z.array(flagTarget).nullish(),
  contextTargets: z.array(flagTarget).nullish(),
});

export const flag = z.object({
  key: z.string(),
  name: z.string(),
  _version: z.number().int(),
  archived: z.boolean().optional(),
  variations: z.array(variation),
  environments: z.record(z.string(), flagEnvironment).nullish(),
});

const links = z.record(z.string(), z.object({ href: z.string().optional() })).optional();

/** A page of `GET /api/v2/flags/{p}?env=…&summary=0`: each flag with its targets in that environment. */
export const flagPage = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      environments: z.record(z.string(), flagEnvironment).nullish(),
    }),
  ),
  totalCount: z.number().int().optional(),
  _links: links,
});

export const flagList = z.object({
  items: z.array(z.object({ key: z.string(), name: z.string(), archived: z.boolean().optional() })),
  totalCount: z.number().int().optional(),
});

const segmentTarget = z.object({
  contextKind: z.string().optional(),
  values: z.array(z.string()).optional(),
});

export const segment = z.object({
  key: z.string(),
  name: z.string(),
  version: z.number().int(),
  deleted: z.boolean().optional(),
  unbounded: z.boolean().optional(),
  included: z.array(z.string()).nullish(),
  excluded: z.array(z.string()).nullish(),
  includedContexts: z.array(segmentTarget).nullish(),
  excludedContexts: z.array(segmentTarget).nullish(),
});

/** A page of `GET /api/v2/segments/{p}/{env}`. */
export const segmentPage = z.object({
  items: z.array(segment.omit({ version: true }).extend({ version: z.number().int().optional() })),
  totalCount: z.number().int().optional(),
  _links: links,
});

export const segmentList = z.object({
  items: z.array(z.object({ key: z.string(), name: z.string() })),
  totalCount: z.number().int().optional(),
});

export const environmentList = z.object({
  items: z.array(z.object({ key: z.string(), name: z.string(), critical: z.boolean().optional() })),
  totalCount: z.number().int().optional(),
});

export const callerIdentity = z.object({
  accountId: z.string().optional(),
  tokenId: z.string().optional(),
  tokenName: z.string().optional(),
  tokenKind: z.string().optional(),
  memberId: z.string().optional(),
  serviceToken: z.boolean().optional(),
  scopes: z.array(z.string()).nullish(),
});

/** A LaunchDarkly member, as much as the bot says of them (who a person linked, who reviewed). */
export const member = z.object({
  _id: z.string(),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});

/** "Ariel Flores": a member's first and last names, as far as LaunchDarkly has them. */
export const fullName = (m: { firstName?: string; lastName?: string } | undefined): string | undefined =>
  [m?.firstName, m?.lastName].filter(Boolean).join(' ') || undefined;

export type FlagRep = z.infer<typeof flag>;
export type SegmentRep = z.infer<typeof segment>;
export type CallerIdentity = z.infer<typeof callerIdentity>;
