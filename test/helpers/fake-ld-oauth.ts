import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Actor, RecordedRequest } from './fake-launchdarkly.js';
import { sendJson } from './http-server.js';

/** The bot's OAuth client as the fake LaunchDarkly knows it. */
export const FAKE_OAUTH_CLIENT = {
  id: 'fake-oauth-client-id',
  secret: 'fake-oauth-client-secret-0123456789',
};

/** Every token and code the fake issued, for the leak scan (`leak-scan.ts`). */
export const ISSUED_OAUTH_SECRETS: string[] = [FAKE_OAUTH_CLIENT.secret];

/** A LaunchDarkly member a test logs in as; `reader` may read, not change. */
export interface FakeMember {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: 'reader' | 'writer';
}

export const ADA: FakeMember = {
  id: 'member-ada',
  email: 'ada@acme.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  role: 'writer',
};
export const RITA: FakeMember = {
  id: 'member-rita',
  email: 'rita@acme.com',
  firstName: 'Rita',
  lastName: 'Reader',
  role: 'reader',
};

interface Grant {
  member: FakeMember;
  revoked: boolean;
}
interface Code {
  grant: Grant;
  redirectUri: string;
  challenge: string | undefined;
  expiresAt: number;
  used: boolean;
}
interface Token {
  grant: Grant;
  expiresAt: number;
  /** Refresh tokens: spent once rotated. */
  spent: boolean;
}

const secret = (prefix: string) => {
  const value = `${prefix}${randomBytes(18).toString('base64url')}`;
  ISSUED_OAUTH_SECRETS.push(value);
  return value;
};

/**
 * LaunchDarkly's OAuth side, inside the fake LaunchDarkly: `/trust/oauth/authorize` (a test picks the
 * member who logs in: `authorizeAs`, or `loginAs` and a plain GET that redirects with 302),
 * `/trust/oauth/token` (authorization_code with PKCE, refresh_token with rotation; the client's id
 * and secret checked; `invalid_grant` for a spent, unknown or refused grant), `/trust/oauth/revoke`;
 * bearer tokens acting as their member (expired → 401), and the member's identity.
 */
export class FakeLdOAuth {
  readonly members = new Map<string, FakeMember>([
    [ADA.id, ADA],
    [RITA.id, RITA],
  ]);
  /** Seconds an access token lives. */
  accessTtlSeconds = 3_600;
  /** Milliseconds before a refresh is answered (concurrent refreshes meet in it). */
  refreshDelayMs = 0;
  /** Every refresh is refused with `invalid_grant` (the grant was revoked in LaunchDarkly). */
  refuseRefresh = false;
  /** The token requests, by grant type, and the tokens revoked. */
  readonly calls = { authorizationCode: 0, refresh: 0, revoked: [] as string[] };
  private loggedIn: FakeMember | undefined;
  private readonly codes = new Map<string, Code>();
  private readonly access = new Map<string, Token>();
  private readonly refresh = new Map<string, Token>();

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.accessTtlSeconds = 3_600;
    this.refreshDelayMs = 0;
    this.refuseRefresh = false;
    this.calls.authorizationCode = 0;
    this.calls.refresh = 0;
    this.calls.revoked.length = 0;
    this.loggedIn = undefined;
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
  }

  /** The member LaunchDarkly's authorization page logs in as, for a plain GET of it. */
  loginAs(member: FakeMember): void {
    this.members.set(member.id, member);
    this.loggedIn = member;
  }

  /**
   * What a browser gets from LaunchDarkly's authorization page when `member` logs in and allows
   * the app: the redirect URL (the bot's callback with `code` and `state`).
   */
  authorizeAs(member: FakeMember, authorizeUrl: string): string {
    this.members.set(member.id, member);
    const answer = this.authorize(new URL(authorizeUrl).searchParams, member);
    if ('error' in answer) throw new Error(`the fake refused the authorization: ${answer.error}`);
    return answer.location;
  }

  /** Makes every access token issued so far expire now (refresh tokens stay good). */
  expireAccessTokens(): void {
    for (const token of this.access.values()) token.expiresAt = this.now();
  }

  /** An admin revokes every grant in LaunchDarkly: its tokens answer 401, its refreshes invalid_grant. */
  revokeAllGrants(): void {
    for (const token of this.access.values()) token.grant.revoked = true;
  }

  /** The member and role a bearer token acts as; undefined when it is unknown, expired or revoked. */
  actorFor(authorization: string | undefined): { actor: Actor; member: FakeMember } | undefined {
    const token = authorization?.startsWith('Bearer ') ? this.access.get(authorization.slice(7)) : undefined;
    if (!token || token.grant.revoked || token.expiresAt <= this.now()) return undefined;
    const { member } = token.grant;
    return {
      member,
      actor: {
        member: {
          _id: member.id,
          email: member.email,
          firstName: member.firstName,
          lastName: member.lastName,
        },
      },
    };
  }

  /** The identity LaunchDarkly answers for a member's token. */
  callerIdentity(member: FakeMember) {
    return {
      accountId: 'acct-1',
      authKind: 'oauth',
      tokenKind: 'oauth',
      clientId: FAKE_OAUTH_CLIENT.id,
      memberId: member.id,
      serviceToken: false,
      scopes: ['writer'],
    };
  }

  memberRep(id: string) {
    const m = this.members.get(id);
    return m ? memberRep({ _id: m.id, ...m }) : undefined;
  }

  /** `/trust/oauth/*` */
  async handle(r: RecordedRequest, res: ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown) => {
      r.status = status;
      sendJson(res, status, body, { 'Cache-Control': 'no-store' });
    };
    if (r.method === 'GET' && r.path === '/trust/oauth/authorize') {
      const result = this.authorize(r.query, this.loggedIn);
      if ('error' in result) return answer(400, result);
      r.status = 302;
      res.writeHead(302, { Location: result.location });
      res.end();
      return;
    }
    if (r.method !== 'POST') return answer(405, { error: 'invalid_request' });
    const form = new URLSearchParams(typeof r.body === 'string' ? r.body : '');
    if (
      form.get('client_id') !== FAKE_OAUTH_CLIENT.id ||
      form.get('client_secret') !== FAKE_OAUTH_CLIENT.secret
    ) {
      return answer(401, { error: 'invalid_client' });
    }
    if (r.path === '/trust/oauth/revoke') {
      const token = form.get('token') ?? '';
      const found = this.refresh.get(token) ?? this.access.get(token);
      if (found) found.grant.revoked = true;
      this.calls.revoked.push(token);
      return answer(200, {});
    }
    if (r.path !== '/trust/oauth/token') return answer(404, { error: 'invalid_request' });
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      this.calls.authorizationCode++;
      const code = this.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier');
      const pkceOk =
        !code?.challenge ||
        (verifier !== null && createHash('sha256').update(verifier).digest('base64url') === code.challenge);
      if (
        !code ||
        code.used ||
        code.expiresAt <= this.now() ||
        code.redirectUri !== form.get('redirect_uri') ||
        !pkceOk
      ) {
        if (code) code.used = true;
        return answer(400, { error: 'invalid_grant', error_description: 'bad or spent authorization code' });
      }
      code.used = true;
      return answer(200, this.issue(code.grant));
    }
    if (grantType === 'refresh_token') {
      this.calls.refresh++;
      if (this.refreshDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.refreshDelayMs));
      const token = this.refresh.get(form.get('refresh_token') ?? '');
      if (!token || token.spent || token.grant.revoked || this.refuseRefresh) {
        return answer(400, { error: 'invalid_grant', error_description: 'the refresh token is not valid' });
      }
      token.spent = true; // rotated: a refresh token is good once
      return answer(200, this.issue(token.grant));
    }
    return answer(400, { error: 'unsupported_grant_type' });
  }

  private authorize(query: URLSearchParams, member: FakeMember | undefined) {
    if (query.get('client_id') !== FAKE_OAUTH_CLIENT.id) return { error: 'invalid_client' };
    if (query.get('response_type') !== 'code') return { error: 'unsupported_response_type' };
    if (query.get('scope') !== 'writer') return { error: 'invalid_scope' };
    const redirectUri = query.get('redirect_uri');
    if (!redirectUri) return { error: 'invalid_request' };
    if (!member) return { error: 'login_required' };
    const challenge = query.get('code_challenge') ?? undefined;
    if (challenge && query.get('code_challenge_method') !== 'S256') return { error: 'invalid_request' };
    const code = secret('ldo_code_');
    this.codes.set(code, {
      grant: { member, revoked: false },
      redirectUri,
      challenge,
      expiresAt: this.now() + 60_000,
      used: false,
    });
    const location = new URL(redirectUri);
    location.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) location.searchParams.set('state', state);
    return { location: location.toString() };
  }

  private issue(grant: Grant) {
    const accessToken = secret('ldo_at_');
    const refreshToken = secret('ldo_rt_');
    this.access.set(accessToken, {
      grant,
      expiresAt: this.now() + this.accessTtlSeconds * 1_000,
      spent: false,
    });
    this.refresh.set(refreshToken, { grant, expiresAt: Number.POSITIVE_INFINITY, spent: false });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.accessTtlSeconds,
      scope: 'writer',
    };
  }

  /** The access tokens issued, newest last (tests look for them in the database and the requests). */
  get accessTokens(): string[] {
    return [...this.access.keys()];
  }

  get refreshTokens(): string[] {
    return [...this.refresh.keys()];
  }
}

/** `GET /api/v2/members/{id}`'s answer for a member, as LaunchDarkly's schema has it. */
export function memberRep(m: {
  _id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  role?: string;
}) {
  return {
    _links: {},
    _id: m._id,
    firstName: m.firstName,
    lastName: m.lastName,
    role: m.role ?? 'writer',
    email: m.email,
    _pendingInvite: false,
    _verified: true,
    customRoles: [],
    mfa: 'disabled',
    _lastSeen: 1_700_000_000_000,
    creationDate: 1_700_000_000_000,
  };
}
