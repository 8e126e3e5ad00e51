import type { ResourceRef } from '../domain/vocabulary.js';
import {
  LdBadRequestError,
  LdConflictError,
  type LdError,
  LdForbiddenError,
  LdNetworkError,
  LdNotFoundError,
  LdOAuthClientRefusedError,
  LdRateLimitError,
  LdResponseShapeError,
  LdServerError,
  LdUnauthorizedError,
  LdUnprocessableError,
  needsApproval,
} from '../launchdarkly/errors.js';

/** User-facing sentences for LaunchDarkly failures; tests assert these. */
export const LD_MESSAGES = {
  unauthorized: "LaunchDarkly rejected the bot's access token. Ask an admin to check LD_ACCESS_TOKEN.",
  forbidden: (r: ResourceRef) =>
    `The bot's LaunchDarkly token is not allowed to change ${r.kind} ${r.key} in ${r.environmentKey}. Ask an admin to widen its role.`,
  /** With LD_ACT_AS=person: LaunchDarkly refused the person's own token (PRODUCT §15). */
  personUnauthorized:
    'LaunchDarkly no longer accepts your linked account (it was revoked or expired). Link it again with `/expire link`, then ask again.',
  personForbidden: (r: ResourceRef) =>
    `Your LaunchDarkly role does not allow changing ${r.kind} ${r.key} in ${r.environmentKey}. Nothing was changed; ask a LaunchDarkly admin for access.`,
  notFound: (r: ResourceRef) =>
    `LaunchDarkly has no ${r.kind} ${r.key} in project ${r.projectKey}, environment ${r.environmentKey}. Check the key, --project and --env.`,
  /** An expiry refused for approvals: no approval request can carry one. */
  approval: (r: ResourceRef, ldMessage = 'approval required') =>
    `LaunchDarkly requires approval for changes in ${r.environmentKey} and refused this one: "${ldMessage}". An expiry cannot go through an approval request: set it in LaunchDarkly, or ask an admin whose role may bypass approvals.`,
  /** Any other change refused for approvals (taking targets out at once, say). */
  approvalRequired: (r: ResourceRef, ldMessage = 'approval required') =>
    `LaunchDarkly requires approval for changes in ${r.environmentKey} and refused this one: "${ldMessage}". Request it in LaunchDarkly.`,
  conflict: (r: ResourceRef) =>
    `${r.kind} ${r.key} changed in LaunchDarkly while I was working on it. Try again.`,
  rateLimited: 'LaunchDarkly is rate limiting the bot; I retried and gave up. Try again in a minute.',
  unreachable: 'LaunchDarkly could not be reached. Try again in a minute.',
  oauthClientRefused:
    "LaunchDarkly refused my OAuth client, so I could not renew your linked account's access: tell whoever runs me (LD_OAUTH_CLIENT_ID / LD_OAUTH_CLIENT_SECRET). Your link is kept.",
  serverError: 'LaunchDarkly had an internal error. Try again in a minute.',
  shape: (r: ResourceRef) =>
    `LaunchDarkly answered in a way I didn't expect; check what happened with /expire list ${r.kind} ${r.key}.`,
  refused: (message: string) => `LaunchDarkly refused the request: ${message}`,
  uncertain: (r: ResourceRef) =>
    `LaunchDarkly did not answer, so I cannot tell whether it applied the change; \`/expire list ${r.kind} ${r.key}\` shows what it has.`,
};

/** Failures that another try may not meet: an outage, a rate limit, a race with another change. */
export function isTransient(error: LdError): boolean {
  return (
    error instanceof LdNetworkError ||
    error instanceof LdServerError ||
    error instanceof LdRateLimitError ||
    error instanceof LdConflictError
  );
}

/** A sentence a person can act on, never a stack trace or a token. */
export function describeLdError(error: LdError, resource: ResourceRef): string {
  const person = error.actor === 'person';
  if (error instanceof LdUnauthorizedError)
    return person ? LD_MESSAGES.personUnauthorized : LD_MESSAGES.unauthorized;
  if (needsApproval(error))
    return /\/expiring-(user-)?targets\//.test(error.path)
      ? LD_MESSAGES.approval(resource, error.ldMessage)
      : LD_MESSAGES.approvalRequired(resource, error.ldMessage);
  if (error instanceof LdForbiddenError)
    return person ? LD_MESSAGES.personForbidden(resource) : LD_MESSAGES.forbidden(resource);
  if (error instanceof LdNotFoundError) return LD_MESSAGES.notFound(resource);
  if (error instanceof LdConflictError) return LD_MESSAGES.conflict(resource);
  if (error instanceof LdRateLimitError) return LD_MESSAGES.rateLimited;
  if (error instanceof LdOAuthClientRefusedError) return LD_MESSAGES.oauthClientRefused;
  if (error instanceof LdNetworkError) return LD_MESSAGES.unreachable;
  if (error instanceof LdServerError) return LD_MESSAGES.serverError;
  if (error instanceof LdResponseShapeError) return LD_MESSAGES.shape(resource);
  if (error instanceof LdBadRequestError || error instanceof LdUnprocessableError) {
    return LD_MESSAGES.refused(error.ldMessage ?? `status ${error.status}`);
  }
  return LD_MESSAGES.refused(error.ldMessage ?? error.message);
}
