import type { Kysely } from 'kysely';
import type { LinkingConfig } from '../config.js';
import type { Database, LdLinksTable } from './schema.js';
import { TokenCipher, TokenCipherError } from './token-cipher.js';

/** The link store of a configuration that links people (its key from TOKEN_ENCRYPTION_KEY); otherwise none. */
export function linkStoreOf(db: Kysely<Database>, linking: LinkingConfig): LinkStore | undefined {
  return linking.oauth ? new LinkStore(db, new TokenCipher(linking.oauth.encryptionKey)) : undefined;
}

/** The LaunchDarkly member a Slack user linked, with their tokens in clear (in memory only). */
export interface Link {
  userId: string;
  teamId: string;
  memberId: string;
  memberEmail: string | undefined;
  memberName: string | undefined;
  accessToken: string;
  refreshToken: string | undefined;
  /** Unix ms; undefined when LaunchDarkly did not say. */
  expiresAt: number | undefined;
  linkedAt: number;
  /** Bumped by every change: what a conditional update compares. */
  version: number;
}

export interface NewTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: number | undefined;
}

/** Why a `state` was not taken: never handed out (or forged), already used, or too old. */
export type StateRefusal = 'unknown' | 'used' | 'expired';

/** Who a `state` was handed to, and its PKCE code verifier. */
export interface TakenState {
  userId: string;
  teamId: string;
  verifier: string;
}

const accessPurpose = (userId: string) => `ld-link:${userId}:access`;
const refreshPurpose = (userId: string) => `ld-link:${userId}:refresh`;
const verifierPurpose = (hash: string) => `ld-link-state:${hash}:verifier`;

/**
 * Linked LaunchDarkly members, the OAuth states handed out, and the jobs waiting for a link. Tokens
 * and code verifiers are sealed (`TokenCipher`) before they reach the database and opened after
 * they leave it; states are kept by their hash only. Every change of a link that may race (a
 * refresh on two replicas, an unlink during one) is a conditional update on its `version`.
 */
export class LinkStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: TokenCipher,
  ) {}

  // ── States ──────────────────────────────────────────────────────────────────────────────────

  async addState(state: {
    hash: string;
    userId: string;
    teamId: string;
    verifier: string;
    now: number;
    expiresAt: number;
  }): Promise<void> {
    await this.db
      .insertInto('ld_link_states')
      .values({
        state_hash: state.hash,
        user_id: state.userId,
        team_id: state.teamId,
        verifier: this.cipher.seal(state.verifier, verifierPurpose(state.hash)),
        created_at: state.now,
        expires_at: state.expiresAt,
        used_at: null,
      })
      .execute();
  }

  /** Uses a state once: the first taker gets it, within its time; anyone else hears why not. */
  async takeState(hash: string, now: number): Promise<TakenState | { refused: StateRefusal }> {
    const taken = await this.db
      .updateTable('ld_link_states')
      .set({ used_at: now })
      .where('state_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (taken) {
      return {
        userId: taken.user_id,
        teamId: taken.team_id,
        verifier: this.cipher.open(taken.verifier, verifierPurpose(hash)),
      };
    }
    const row = await this.db
      .selectFrom('ld_link_states')
      .select(['used_at'])
      .where('state_hash', '=', hash)
      .executeTakeFirst();
    return { refused: !row ? 'unknown' : row.used_at !== null ? 'used' : 'expired' };
  }

  /** Forgets states that ended before `before` (used ones stay that long to tell a replay apart). */
  async pruneStates(before: number): Promise<void> {
    await this.db.deleteFrom('ld_link_states').where('expires_at', '<', before).execute();
  }

  // ── Links ───────────────────────────────────────────────────────────────────────────────────

  /**
   * A user's link with its tokens opened. One sealed under another key (TOKEN_ENCRYPTION_KEY was
   * changed) cannot be used: it is as if they never linked, and linking again replaces it.
   */
  async get(userId: string): Promise<Link | undefined> {
    const row = await this.db
      .selectFrom('ld_links')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && this.readable(row);
  }

  /** Whether the user has a link the bot can use. */
  async has(userId: string): Promise<boolean> {
    return (await this.get(userId)) !== undefined;
  }

  /** Links (or links again) a user: whatever they had before is replaced. */
  async save(link: Omit<Link, 'version' | 'linkedAt'> & { now: number }): Promise<void> {
    const sealed = this.sealed(link.userId, link);
    const row = {
      user_id: link.userId,
      team_id: link.teamId,
      member_id: link.memberId,
      member_email: link.memberEmail ?? null,
      member_name: link.memberName ?? null,
      ...sealed,
      refreshing_until: null,
      linked_at: link.now,
      updated_at: link.now,
      version: 1,
    };
    await this.db
      .insertInto('ld_links')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet((eb) => ({
          ...row,
          version: eb('ld_links.version', '+', 1),
        })),
      )
      .execute();
  }

  /**
   * Takes the right to refresh a link for `leaseMs`: only from the version read, and only if no one
   * else holds it. The link with its new version, or undefined when someone else got there first.
   */
  async claimRefresh(link: Link, now: number, leaseMs: number): Promise<Link | undefined> {
    const row = await this.db
      .updateTable('ld_links')
      .set((eb) => ({ refreshing_until: now + leaseMs, version: eb('version', '+', 1), updated_at: now }))
      .where('user_id', '=', link.userId)
      .where('version', '=', link.version)
      .where((eb) => eb.or([eb('refreshing_until', 'is', null), eb('refreshing_until', '<', now)]))
      .returningAll()
      .executeTakeFirst();
    return row && this.toLink(row);
  }

  /** Stores refreshed tokens, if the claim (`version`) still holds; false when it does not. */
  async replaceTokens(link: Link, tokens: NewTokens, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('ld_links')
      .set((eb) => ({
        ...this.sealed(link.userId, tokens),
        refreshing_until: null,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('user_id', '=', link.userId)
      .where('version', '=', link.version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives a refresh claim back (the refresh could not be tried: LaunchDarkly did not answer). */
  async releaseRefresh(link: Link, now: number): Promise<void> {
    await this.db
      .updateTable('ld_links')
      .set({ refreshing_until: null, updated_at: now })
      .where('user_id', '=', link.userId)
      .where('version', '=', link.version)
      .execute();
  }

  /** Unlinks a user; with `version`, only that very link (not one made again meanwhile). The link removed. */
  async delete(userId: string, version?: number): Promise<Link | undefined> {
    let query = this.db.deleteFrom('ld_links').where('user_id', '=', userId);
    if (version !== undefined) query = query.where('version', '=', version);
    // Sealed under another key: unusable, as `get` says, so nothing to revoke — but gone now.
    const row = await query.returningAll().executeTakeFirst();
    return row && this.readable(row);
  }

  // ── Changes waiting for a link ──────────────────────────────────────────────────────────────

  async addWait(jobId: string, userId: string, since: number): Promise<void> {
    await this.db
      .insertInto('ld_link_waits')
      .values({ job_id: jobId, user_id: userId, since })
      .onConflict((oc) => oc.column('job_id').doNothing())
      .execute();
  }

  /** The jobs waiting for this user to link. */
  async waitsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('ld_link_waits')
      .select('job_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.job_id);
  }

  async removeWait(jobId: string): Promise<void> {
    await this.db.deleteFrom('ld_link_waits').where('job_id', '=', jobId).execute();
  }

  private sealed(userId: string, tokens: NewTokens) {
    return {
      access_token: this.cipher.seal(tokens.accessToken, accessPurpose(userId)),
      refresh_token:
        tokens.refreshToken === undefined
          ? null
          : this.cipher.seal(tokens.refreshToken, refreshPurpose(userId)),
      expires_at: tokens.expiresAt ?? null,
    };
  }

  /** A link sealed under another TOKEN_ENCRYPTION_KEY is as if there were none. */
  private readable(row: LdLinksTable): Link | undefined {
    try {
      return this.toLink(row);
    } catch (error) {
      if (error instanceof TokenCipherError) return undefined;
      throw error;
    }
  }

  private toLink(row: LdLinksTable): Link {
    return {
      userId: row.user_id,
      teamId: row.team_id,
      memberId: row.member_id,
      memberEmail: row.member_email ?? undefined,
      memberName: row.member_name ?? undefined,
      accessToken: this.cipher.open(row.access_token, accessPurpose(row.user_id)),
      refreshToken:
        row.refresh_token === null
          ? undefined
          : this.cipher.open(row.refresh_token, refreshPurpose(row.user_id)),
      expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
      linkedAt: Number(row.linked_at),
      version: Number(row.version),
    };
  }
}
