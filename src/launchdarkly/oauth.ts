import * as oauth from 'oauth4webapi';
import { isLoopbackUrl } from '../config.js';

/** LaunchDarkly's OAuth endpoints, under its base URI (PRODUCT §15). */
export const LD_OAUTH_PATHS = {
  authorize: '/trust/oauth/authorize',
  token: '/trust/oauth/token',
  revoke: '/trust/oauth/revoke',
} as const;

/** The scope a linked person grants: changes, within their own role. */
const LD_OAUTH_SCOPE = 'writer';

/** One OAuth exchange's longest wait for LaunchDarkly's answer. */
const LD_OAUTH_TIMEOUT_MS = 8_000;

/** A person's tokens as LaunchDarkly issued them; `expiresAt` read on the caller's clock. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: number | undefined;
}

/**
 * What an OAuth error says about a link (RFC 6749 §5.2): `grant`, the code or refresh token is
 * spent, revoked or expired, and only linking again helps; `client`, LaunchDarkly does not take the
 * bot's own OAuth client (LD_OAUTH_CLIENT_ID / LD_OAUTH_CLIENT_SECRET), an operator's problem;
 * `other`, anything else (`server_error`, `temporarily_unavailable`, a 429…), which may pass.
 */
export type OAuthRefusal = 'grant' | 'client' | 'other';

const REFUSALS = new Map<string, OAuthRefusal>([
  ['invalid_grant', 'grant'],
  ['invalid_client', 'client'],
  ['unauthorized_client', 'client'],
]);

/** LaunchDarkly answered an OAuth request with an OAuth error code, at whatever HTTP status. */
export class LdOAuthRefusedError extends Error {
  /** What the refusal means for a link: only `grant` ends one. */
  readonly refusal: OAuthRefusal;

  constructor(
    readonly what: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(`LaunchDarkly refused the ${what} (${status} ${code})`);
    this.name = 'LdOAuthRefusedError';
    this.refusal = REFUSALS.get(code) ?? 'other';
  }
}

/** No usable answer to an OAuth request: unreachable, too slow, or not OAuth's shape. */
export class LdOAuthUnavailableError extends Error {
  constructor(
    readonly what: string,
    readonly why: string,
  ) {
    super(`LaunchDarkly did not complete the ${what} (${why})`);
    this.name = 'LdOAuthUnavailableError';
  }
}

export interface LdOAuthOptions {
  baseUri: string;
  clientId: string;
  clientSecret: string;
  /** Where LaunchDarkly sends the person back: PUBLIC_URL/launchdarkly/oauth/callback. */
  redirectUri: string;
  timeoutMs?: number;
}

/**
 * The bot as a LaunchDarkly OAuth client (authorization code with PKCE, refresh, revocation),
 * every request built and every answer checked by oauth4webapi. Its errors carry no token, no
 * code and no body: only what was asked, LaunchDarkly's error code and status.
 */
export class LdOAuth {
  private readonly server: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly requestOptions: oauth.TokenEndpointRequestOptions;

  constructor(private readonly options: LdOAuthOptions) {
    const base = options.baseUri.replace(/\/+$/, '');
    this.server = {
      issuer: base,
      authorization_endpoint: `${base}${LD_OAUTH_PATHS.authorize}`,
      token_endpoint: `${base}${LD_OAUTH_PATHS.token}`,
      revocation_endpoint: `${base}${LD_OAUTH_PATHS.revoke}`,
    };
    this.client = { client_id: options.clientId };
    this.auth = oauth.ClientSecretPost(options.clientSecret);
    const timeoutMs = options.timeoutMs ?? LD_OAUTH_TIMEOUT_MS;
    this.requestOptions = {
      signal: () => AbortSignal.timeout(timeoutMs),
      // Plain http only to this machine (the tests' fake on 127.0.0.1), as config allows; to any
      // other host oauth4webapi refuses to send the client secret or a token.
      ...(/^http:/i.test(base) && isLoopbackUrl(base) ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }

  /** A new PKCE code verifier, and the challenge that goes in the authorization URL. */
  static async pkce(): Promise<{ verifier: string; challenge: string }> {
    const verifier = oauth.generateRandomCodeVerifier();
    return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
  }

  /** A new unguessable `state`. */
  static newState(): string {
    return oauth.generateRandomState();
  }

  /** LaunchDarkly's authorization page for this state and PKCE challenge. */
  authorizationUrl(state: string, challenge: string): string {
    const url = new URL(this.server.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: LD_OAUTH_SCOPE,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  /**
   * The tokens for the code the person came back with. `callback` is the query LaunchDarkly sent
   * (`state` checked against `state`, an `error` the person chose turned into a refusal).
   */
  async exchange(
    callback: URLSearchParams,
    state: string,
    verifier: string,
    now: number,
  ): Promise<OAuthTokens> {
    return this.call('authorization', now, async () => {
      const params = oauth.validateAuthResponse(this.server, this.client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(
        this.server,
        this.client,
        this.auth,
        params,
        this.options.redirectUri,
        verifier,
        this.requestOptions,
      );
      return oauth.processAuthorizationCodeResponse(this.server, this.client, response);
    });
  }

  /** New tokens for a refresh token (LaunchDarkly may rotate the refresh token too). */
  async refresh(refreshToken: string, now: number): Promise<OAuthTokens> {
    return this.call('token refresh', now, async () => {
      const response = await oauth.refreshTokenGrantRequest(
        this.server,
        this.client,
        this.auth,
        refreshToken,
        this.requestOptions,
      );
      return oauth.processRefreshTokenResponse(this.server, this.client, response);
    });
  }

  /** Revokes a token (the refresh token revokes the grant). */
  async revoke(token: string): Promise<void> {
    try {
      const response = await oauth.revocationRequest(
        this.server,
        this.client,
        this.auth,
        token,
        this.requestOptions,
      );
      await oauth.processRevocationResponse(response);
    } catch (error) {
      throw this.typed('revocation', error);
    }
  }

  private async call(
    what: string,
    now: number,
    exchange: () => Promise<oauth.TokenEndpointResponse>,
  ): Promise<OAuthTokens> {
    let answer: oauth.TokenEndpointResponse;
    try {
      answer = await exchange();
    } catch (error) {
      throw this.typed(what, error);
    }
    return {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: typeof answer.expires_in === 'number' ? now + answer.expires_in * 1_000 : undefined,
    };
  }

  /** Only names and codes survive: an OAuth library's error may hold the response and its body. */
  private typed(what: string, error: unknown): Error {
    if (error instanceof oauth.ResponseBodyError)
      return new LdOAuthRefusedError(what, error.error, error.status);
    if (error instanceof oauth.AuthorizationResponseError)
      return new LdOAuthRefusedError(what, error.error, 400);
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      // A challenge from the token endpoint: its own error code, else (401) the client's
      // authentication failed — RFC 6749 §5.2's invalid_client.
      const code =
        error.cause.find((c) => c.parameters.error)?.parameters.error ??
        (error.status === 401 ? 'invalid_client' : undefined);
      if (code) return new LdOAuthRefusedError(what, code, error.status);
    }
    const name = error instanceof Error ? error.name : 'error';
    const code = error instanceof oauth.OperationProcessingError ? error.code : undefined;
    return new LdOAuthUnavailableError(what, code ?? name);
  }
}
