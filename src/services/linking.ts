import { createHash } from 'node:crypto';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError } from '../launchdarkly/errors.js';
import { LdOAuth, LdOAuthRefusedError, LdOAuthUnavailableError } from '../launchdarkly/oauth.js';
import { fullName } from '../launchdarkly/schemas.js';
import type { Logger } from '../log.js';
import type { Link, LinkStore, StateRefusal } from '../store/link-store.js';
import type { Worker } from '../work/worker.js';
import type { ActAs } from './acting.js';

/** How long a `/expire link` button works, and how long a change waits for its person to link. */
export const LINK_STATE_TTL_MS = 10 * 60_000;
export const LINK_WAIT_MS = 10 * 60_000;

export const OAUTH_CALLBACK_PATH = '/launchdarkly/oauth/callback';

/** What a person linked, as the bot says it. */
export interface LinkedMember {
  memberId: string;
  email: string | undefined;
  name: string | undefined;
}

export type LinkOutcome =
  | { ok: true; userId: string; member: LinkedMember; waiting: number }
  /** `missing`, `unknown` (forged), `used` (a replay), `expired`: the state; nothing was linked. */
  | { ok: false; reason: 'missing' | StateRefusal }
  /** The person said no on LaunchDarkly's page, or LaunchDarkly refused the code. */
  | { ok: false; reason: 'refused'; userId: string; code: string }
  /** LaunchDarkly did not answer in time (or not as OAuth answers): nothing was linked. */
  | { ok: false; reason: 'unavailable'; userId: string }
  /**
   * The member who authorized is someone else by email (a forwarded link button): their grant is
   * revoked, nothing was linked.
   */
  | { ok: false; reason: 'not-yours'; userId: string; member: LinkedMember }
  /**
   * Whether the member is the Slack user could not be told (Slack or LaunchDarkly showed no email):
   * refused like `not-yours`, the grant revoked — the person may never be linked to another's member.
   */
  | { ok: false; reason: 'unconfirmed'; userId: string; missing: 'slack' | 'launchdarkly' };

export type UnlinkOutcome =
  | { kind: 'not-linked' }
  /** `revoked`: LaunchDarkly confirmed; false: it could not be reached, the grant may stand there. */
  | { kind: 'unlinked'; member: LinkedMember; revoked: boolean };

export interface LinkingDeps {
  links: LinkStore;
  oauth: LdOAuth;
  actAs: ActAs;
  /** A client sending `authorization`: the new token's first read, who it belongs to. */
  clientOf: (authorization: string) => LaunchDarklyClient;
  work: Pick<Worker, 'runNow'>;
  now: () => Date;
  logger: Logger;
  /** The email of a Slack user's profile, when Slack says (`users:read.email`). */
  emailOf?: (userId: string) => Promise<string | undefined>;
}

/** States are kept by their hash: the database never holds one a browser could use. */
const hashOf = (state: string) => createHash('sha256').update(state).digest('base64url');

export const memberOf = (link: Link): LinkedMember => ({
  memberId: link.memberId,
  email: link.memberEmail,
  name: link.memberName,
});

/**
 * Linking a Slack user to their LaunchDarkly member (PRODUCT §15): the authorization URL with a
 * single-use `state` bound to the user and team (10 minutes, stored hashed, so any replica takes
 * the callback) and a PKCE verifier; the callback's exchange, who the token belongs to, the sealed
 * tokens stored, and the changes that waited for the link woken; unlinking with revocation; and the
 * changes held for a link.
 */
export class Linking {
  constructor(private readonly deps: LinkingDeps) {}

  /** LaunchDarkly's authorization page for this person, valid for LINK_STATE_TTL_MS. */
  async start(userId: string, teamId: string): Promise<string> {
    const state = LdOAuth.newState();
    const { verifier, challenge } = await LdOAuth.pkce();
    const now = this.deps.now().getTime();
    await this.deps.links.addState({
      hash: hashOf(state),
      userId,
      teamId,
      verifier,
      now,
      expiresAt: now + LINK_STATE_TTL_MS,
    });
    await this.deps.links.pruneStates(now - LINK_STATE_TTL_MS);
    return this.deps.oauth.authorizationUrl(state, challenge);
  }

  /** LaunchDarkly sent the person back with `query`: link them, or say why not. */
  async complete(query: URLSearchParams): Promise<LinkOutcome> {
    const { links, oauth, logger } = this.deps;
    const state = query.get('state');
    if (!state) return { ok: false, reason: 'missing' };
    const taken = await links.takeState(hashOf(state), this.deps.now().getTime());
    if ('refused' in taken) return { ok: false, reason: taken.refused };
    const { userId } = taken;
    let tokens: Awaited<ReturnType<LdOAuth['exchange']>>;
    try {
      tokens = await oauth.exchange(query, state, taken.verifier, this.deps.now().getTime());
    } catch (error) {
      logger.warn({ err: error, user: userId }, 'linking a LaunchDarkly account failed');
      if (error instanceof LdOAuthRefusedError)
        return { ok: false, reason: 'refused', userId, code: error.code };
      if (error instanceof LdOAuthUnavailableError) return { ok: false, reason: 'unavailable', userId };
      throw error;
    }
    let member: LinkedMember;
    try {
      member = await this.whoIs(tokens.accessToken);
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      logger.warn({ err: error, user: userId }, 'could not read who a new LaunchDarkly token belongs to');
      await oauth.revoke(tokens.refreshToken ?? tokens.accessToken).catch(() => undefined);
      return { ok: false, reason: 'unavailable', userId };
    }
    const same = await this.sameEmail(userId, member);
    if (same !== true) {
      logger.warn(
        { event: 'link-not-yours', user: userId, member: member.memberId, unknown: same || undefined },
        same
          ? 'a link whose member could not be confirmed as the asker'
          : 'a link answered by another member',
      );
      await oauth.revoke(tokens.refreshToken ?? tokens.accessToken).catch(() => undefined);
      return same
        ? { ok: false, reason: 'unconfirmed', userId, missing: same }
        : { ok: false, reason: 'not-yours', userId, member };
    }
    const previous = await links.get(userId);
    await links.save({
      userId,
      teamId: taken.teamId,
      memberId: member.memberId,
      memberEmail: member.email,
      memberName: member.name,
      ...tokens,
      now: this.deps.now().getTime(),
    });
    this.deps.actAs.forget(userId);
    // Linked again: the grant it replaces is of no use to anyone, so it ends in LaunchDarkly too.
    if (previous) await oauth.revoke(previous.refreshToken ?? previous.accessToken).catch(() => undefined);
    logger.info({ event: 'linked', user: userId, member: member.memberId }, 'linked a LaunchDarkly account');
    const waiting = await links.waitsOf(userId);
    await this.deps.work.runNow(waiting);
    return { ok: true, userId, member, waiting: waiting.length };
  }

  /**
   * Whether the member is the Slack user: the same email, compared without case. Fails closed: an
   * email either side does not show (Slack without `users:read.email` or not answering, a member
   * LaunchDarkly shows none of) names the side, and nothing is linked — a forwarded link button
   * must never link someone else's member.
   */
  private async sameEmail(userId: string, member: LinkedMember): Promise<boolean | 'slack' | 'launchdarkly'> {
    if (!member.email) return 'launchdarkly';
    const slackEmail = await this.deps.emailOf?.(userId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, user: userId }, "could not read a person's Slack email");
      return undefined;
    });
    if (!slackEmail) return 'slack';
    return slackEmail.toLowerCase() === member.email.toLowerCase();
  }

  /** The member a token acts as: caller-identity, then (best effort) their name and email. */
  private async whoIs(accessToken: string): Promise<LinkedMember> {
    const client = this.deps.clientOf(`Bearer ${accessToken}`);
    const identity = await client.getCallerIdentity();
    if (!identity.memberId)
      throw new LdError(
        { method: 'GET', path: '/api/v2/caller-identity', actor: 'person' },
        'LaunchDarkly named no member for the token',
      );
    try {
      const m = await client.getMember(identity.memberId);
      return { memberId: identity.memberId, email: m.email, name: fullName(m) };
    } catch (error) {
      if (!(error instanceof LdError)) throw error;
      return { memberId: identity.memberId, email: undefined, name: undefined };
    }
  }

  /** Removes the link first (nothing uses it from here on), then revokes it in LaunchDarkly. */
  async unlink(userId: string): Promise<UnlinkOutcome> {
    const link = await this.deps.links.delete(userId);
    this.deps.actAs.forget(userId);
    if (!link) return { kind: 'not-linked' };
    let revoked = true;
    try {
      // Revoking the refresh token ends the grant; the access token goes with it.
      await this.deps.oauth.revoke(link.refreshToken ?? link.accessToken);
    } catch (error) {
      revoked = false;
      this.deps.logger.warn({ err: error, user: userId }, 'could not revoke an unlinked LaunchDarkly token');
    }
    this.deps.logger.info({ event: 'unlinked', user: userId, revoked }, 'unlinked a LaunchDarkly account');
    return { kind: 'unlinked', member: memberOf(link), revoked };
  }

  /** A job holds its change until this person links (woken by `complete`). */
  async hold(jobId: string, userId: string, since: number): Promise<void> {
    await this.deps.links.addWait(jobId, userId, since);
  }

  async release(jobId: string): Promise<void> {
    await this.deps.links.removeWait(jobId);
  }
}
