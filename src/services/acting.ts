import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdNetworkError, LdOAuthClientRefusedError } from '../launchdarkly/errors.js';
import { LD_OAUTH_PATHS, type LdOAuth, LdOAuthRefusedError } from '../launchdarkly/oauth.js';
import type { Logger } from '../log.js';
import type { Link, LinkStore } from '../store/link-store.js';

/** An access token this close to its expiry is refreshed before it is used. */
const REFRESH_MARGIN_MS = 60_000;
/** How long a replica may hold a link while it refreshes it; another waits at most this long. */
const REFRESH_LEASE_MS = 15_000;
/** How often a replica waiting for another's refresh looks again. */
const REFRESH_POLL_MS = 100;
/** People whose LaunchDarkly client is kept between changes. */
const CLIENTS_KEPT = 500;

/**
 * The change needs the person's own LaunchDarkly member and has none to use: never linked, or
 * LaunchDarkly refused to renew their link (`refused`). Nothing was sent; the bot never falls
 * back to its service token. The surface holds the change for a link (`slack/link-hold.ts`).
 */
export class LinkRequiredError extends Error {
  constructor(
    readonly userId: string,
    readonly reason: 'not-linked' | 'refused',
  ) {
    super(
      reason === 'not-linked'
        ? 'this person has not linked a LaunchDarkly account'
        : "LaunchDarkly refused to renew this person's link",
    );
    this.name = 'LinkRequiredError';
  }
}

/** Who LaunchDarkly sees when the bot acts for a person (`/expire whoami`). */
export type Acting =
  | { as: 'bot'; linked: Link | undefined }
  | { as: 'person'; link: Link }
  | { as: 'nobody' };

export interface ActAsDeps {
  mode: 'bot' | 'person';
  /** The service token's client: every change in bot mode, every background read in both. */
  bot: LaunchDarklyClient;
  /** Linked people; absent when linking is not configured (bot mode only). */
  links: LinkStore | undefined;
  oauth: LdOAuth | undefined;
  /** A client sending `authorization` (`Bearer <access token>`), its errors a person's. */
  clientOf: (authorization: string) => LaunchDarklyClient;
  now: () => Date;
  logger: Logger;
}

/**
 * Which LaunchDarkly client a person's change goes through (PRODUCT §15): the bot's in bot mode; in
 * person mode their linked member's, with an access token refreshed first when it expires within
 * a minute — once for all of one person's concurrent changes on this replica (single flight), and
 * once across replicas (a claim on the link's version in the database), so a refresh token is
 * never spent twice. A refresh LaunchDarkly refuses as spent (`invalid_grant`) unlinks and asks the
 * person to link again; any other failure of it (an outage, a rate limit, the bot's own OAuth client
 * refused) keeps the link, and the change is tried again later.
 */
export class ActAs {
  private readonly clients = new Map<string, { token: string; client: LaunchDarklyClient }>();
  private readonly refreshing = new Map<string, Promise<Link>>();
  /** The access token each person's client handed out carries: a 401 ends only the link it came from. */
  private readonly tokens = new WeakMap<LaunchDarklyClient, string>();

  constructor(private readonly deps: ActAsDeps) {}

  get mode(): 'bot' | 'person' {
    return this.deps.mode;
  }

  /** Whether people can link at all (the OAuth client is configured). */
  get linkable(): boolean {
    return this.deps.links !== undefined && this.deps.oauth !== undefined;
  }

  /** The client a change asked by `userId` goes through. Throws LinkRequiredError in person mode without a link. */
  clientFor(userId: string): Promise<LaunchDarklyClient> {
    return this.deps.mode === 'bot' ? Promise.resolve(this.deps.bot) : this.personClient(userId);
  }

  /**
   * The person's own client whatever the mode (a review on a LaunchDarkly approval request is
   * theirs or nobody's). Throws LinkRequiredError when they have no usable link.
   */
  async personClient(userId: string): Promise<LaunchDarklyClient> {
    const link = await this.freshLink(userId);
    const kept = this.clients.get(userId);
    if (kept?.token === link.accessToken) return kept.client;
    const client = this.deps.clientOf(`Bearer ${link.accessToken}`);
    this.tokens.set(client, link.accessToken);
    this.clients.delete(userId);
    this.clients.set(userId, { token: link.accessToken, client });
    if (this.clients.size > CLIENTS_KEPT) this.clients.delete(this.clients.keys().next().value!);
    return client;
  }

  async isLinked(userId: string): Promise<boolean> {
    return (await this.deps.links?.has(userId)) ?? false;
  }

  async acting(userId: string): Promise<Acting> {
    const link = await this.deps.links?.get(userId);
    if (this.deps.mode === 'bot') return { as: 'bot', linked: link };
    return link ? { as: 'person', link } : { as: 'nobody' };
  }

  /** Forgets the client kept for a person (they linked again, or unlinked). */
  forget(userId: string): void {
    this.clients.delete(userId);
  }

  private async freshLink(userId: string): Promise<Link> {
    const link = await this.deps.links?.get(userId);
    if (!link) throw new LinkRequiredError(userId, 'not-linked');
    if (!this.expiring(link)) return link;
    let flight = this.refreshing.get(userId);
    if (!flight) {
      flight = this.refresh(link).finally(() => this.refreshing.delete(userId));
      this.refreshing.set(userId, flight);
    }
    return flight;
  }

  private expiring(link: Link): boolean {
    return link.expiresAt !== undefined && link.expiresAt - this.deps.now().getTime() <= REFRESH_MARGIN_MS;
  }

  private async refresh(read: Link): Promise<Link> {
    const { links, oauth, logger } = this.deps;
    const now = () => this.deps.now().getTime();
    if (!read.refreshToken || !links || !oauth) return this.relink(read, 'no refresh token');
    const claimed = await links.claimRefresh(read, now(), REFRESH_LEASE_MS);
    if (!claimed) return this.refreshedElsewhere(read.userId);
    let tokens: Awaited<ReturnType<LdOAuth['refresh']>>;
    try {
      tokens = await oauth.refresh(read.refreshToken, now());
    } catch (error) {
      const refused = error instanceof LdOAuthRefusedError ? error : undefined;
      if (refused?.refusal === 'grant') return this.relink(claimed, refused.code);
      // Not the grant's end, only not done: the claim is given back and the change tried again
      // later. Unlinking here would orphan a grant that still stands in LaunchDarkly.
      await links.releaseRefresh(claimed, now());
      if (refused?.refusal === 'client') {
        logger.error(
          { event: 'oauth-client-refused', err: error, user: read.userId },
          "configuration error: LaunchDarkly refused the bot's OAuth client (check LD_OAUTH_CLIENT_ID and LD_OAUTH_CLIENT_SECRET); links are kept and changes made as people are tried again later",
        );
      } else {
        logger.warn({ err: error, user: read.userId }, 'could not refresh a linked LaunchDarkly token');
      }
      const details = { method: 'POST', path: LD_OAUTH_PATHS.token, actor: 'person' } as const;
      throw refused?.refusal === 'client'
        ? new LdOAuthClientRefusedError(details, refused.message)
        : new LdNetworkError(details, 'OAUTH', refused?.message);
    }
    const next = {
      accessToken: tokens.accessToken,
      // LaunchDarkly may rotate the refresh token; without a new one the old one stays good.
      refreshToken: tokens.refreshToken ?? read.refreshToken,
      expiresAt: tokens.expiresAt,
    };
    if (!(await links.replaceTokens(claimed, next, now()))) {
      // Unlinked (or linked again) while LaunchDarkly answered: the new tokens are not this link's.
      await oauth.revoke(next.refreshToken).catch(() => undefined);
      return this.freshLinkOrRequired(read.userId);
    }
    logger.info({ event: 'link-refreshed', user: read.userId }, 'refreshed a linked LaunchDarkly token');
    return { ...claimed, ...next, version: claimed.version + 1 };
  }

  /** Another replica holds the refresh: its result is read back from the database. */
  private async refreshedElsewhere(userId: string): Promise<Link> {
    const deadline = Date.now() + REFRESH_LEASE_MS;
    while (Date.now() < deadline) {
      const link = await this.deps.links!.get(userId);
      if (!link) throw new LinkRequiredError(userId, 'refused');
      if (!this.expiring(link)) return link;
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
    }
    throw new LdNetworkError(
      { method: 'POST', path: LD_OAUTH_PATHS.token, actor: 'person' },
      'OAUTH',
      'another replica is still renewing this LaunchDarkly link',
    );
  }

  private async freshLinkOrRequired(userId: string): Promise<Link> {
    const link = await this.deps.links!.get(userId);
    if (!link || this.expiring(link)) throw new LinkRequiredError(userId, 'refused');
    return link;
  }

  /**
   * LaunchDarkly answered 401 to the token `client` carries (revoked there, or expired unbeknown to
   * the bot). Still the token of the person's link: the link is useless, removed like a refused
   * renewal, and the change held for a new one (LinkRequiredError). A link made or renewed since —
   * linking again revokes the grant it replaces, so a change still on the old token meets a 401 —
   * is left alone: this returns, and the change may be tried again with that link.
   */
  async rejected(userId: string, client: LaunchDarklyClient): Promise<void> {
    const link = await this.deps.links?.get(userId);
    if (!link) throw new LinkRequiredError(userId, 'refused');
    if (this.tokens.get(client) === link.accessToken) return this.relink(link, 'LaunchDarkly answered 401');
    this.deps.logger.info(
      { event: 'link-outdated-401', user: userId },
      'a replaced LaunchDarkly token answered 401; the newer link is kept',
    );
  }

  /** LaunchDarkly will not renew the link: it is removed, and the person asked to link again. */
  private async relink(link: Link, why: string): Promise<never> {
    this.deps.logger.warn(
      { event: 'link-refused', user: link.userId, why },
      'LaunchDarkly refused to renew a linked token; the person is asked to link again',
    );
    await this.deps.links?.delete(link.userId, link.version);
    this.forget(link.userId);
    throw new LinkRequiredError(link.userId, 'refused');
  }
}
