/** What went wrong on one LaunchDarkly request, without any header or token. */
export interface LdErrorDetails {
  method: string;
  path: string;
  status?: number;
  /** LaunchDarkly's machine-readable code, e.g. `not_found`, `rate_limited`. */
  code?: string;
  /** LaunchDarkly's own sentence. */
  ldMessage?: string;
  requestId?: string;
  /** Whose token was refused: the bot's (default) or a linked person's (PRODUCT §15). */
  actor?: 'bot' | 'person';
}

export class LdError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly ldMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly actor: 'bot' | 'person';

  constructor(details: LdErrorDetails, summary?: string) {
    const what =
      summary ??
      `LaunchDarkly answered ${details.status ?? 'nothing'}${details.code ? ` ${details.code}` : ''}`;
    super(
      `${what} for ${details.method} ${details.path}${details.ldMessage ? `: ${details.ldMessage}` : ''}`,
    );
    this.name = new.target.name;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.code = details.code;
    this.ldMessage = details.ldMessage;
    this.requestId = details.requestId;
    this.actor = details.actor ?? 'bot';
  }
}

/** 400: the request was malformed (for a semantic patch: a bad instruction or content type). */
export class LdBadRequestError extends LdError {}
/** 401: the access token is missing, wrong or revoked. */
export class LdUnauthorizedError extends LdError {}
/** 403: the token's role does not allow this action. */
export class LdForbiddenError extends LdError {}
/** 404: a project, environment, flag or segment key does not exist. */
export class LdNotFoundError extends LdError {}
/** 405: the environment requires approvals for this change. */
export class LdApprovalRequiredError extends LdError {}
/** 409: the resource changed meanwhile (optimistic locking). */
export class LdConflictError extends LdError {}
/** 422: well-formed but semantically invalid. */
export class LdUnprocessableError extends LdError {}
/** 429 after every allowed retry, or a wait longer than the client may wait (it then fails at once). */
export class LdRateLimitError extends LdError {
  constructor(
    details: LdErrorDetails,
    /** How long LaunchDarkly asked us to wait, when it said. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(details);
  }
}
/** 5xx. */
export class LdServerError extends LdError {}
/** Any other unexpected status. */
export class LdUnexpectedStatusError extends LdError {}
/** No answer: connection refused or reset, DNS failure, time-out. */
export class LdNetworkError extends LdError {
  constructor(
    details: LdErrorDetails,
    /** Node's error code, e.g. ECONNREFUSED, ECONNRESET, ECONNABORTED. */
    readonly networkCode: string | undefined,
    summary = `LaunchDarkly could not be reached (${networkCode ?? 'network error'})`,
  ) {
    super(details, summary);
  }
}
/** No complete answer within the deadline; for a PATCH, whether LaunchDarkly applied it is unknown. */
export class LdTimeoutError extends LdNetworkError {
  constructor(details: LdErrorDetails) {
    super(details, 'ETIMEDOUT', 'LaunchDarkly did not answer in time');
  }
}
/**
 * A person's token could not be renewed because LaunchDarkly refused the bot's own OAuth client (a
 * configuration matter): tried again like a network failure, and told as what it is.
 */
export class LdOAuthClientRefusedError extends LdNetworkError {
  constructor(details: LdErrorDetails, summary?: string) {
    super(details, 'OAUTH', summary);
  }
}
/** A 2xx answer whose body is not what LaunchDarkly documents. */
export class LdResponseShapeError extends LdError {
  constructor(
    details: LdErrorDetails,
    readonly issues: readonly string[],
  ) {
    super(
      details,
      `LaunchDarkly's answer did not have the expected shape (${issues.slice(0, 3).join('; ')})`,
    );
  }
}

/**
 * LaunchDarkly takes this change only through an approval request: a 405 (`method_not_allowed`),
 * or a 403 whose message says approval is what is missing. Not an answer of the approval-request
 * endpoints themselves (there a 405 or 403 refuses a review or the token's right to ask).
 */
export function needsApproval(error: unknown): boolean {
  if (!(error instanceof LdError) || error.path.includes('/approval-requests')) return false;
  if (error instanceof LdApprovalRequiredError) return true;
  return error instanceof LdForbiddenError && /approv/i.test(error.ldMessage ?? '');
}

const BY_STATUS: Record<number, new (d: LdErrorDetails) => LdError> = {
  400: LdBadRequestError,
  401: LdUnauthorizedError,
  403: LdForbiddenError,
  404: LdNotFoundError,
  405: LdApprovalRequiredError,
  409: LdConflictError,
  422: LdUnprocessableError,
};

/** The typed error for a non-2xx status other than 429. */
export function errorForStatus(details: LdErrorDetails & { status: number }): LdError {
  const ErrorClass = BY_STATUS[details.status];
  if (ErrorClass) return new ErrorClass(details);
  if (details.status >= 500) return new LdServerError(details);
  return new LdUnexpectedStatusError(details);
}
