import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import type { Requester } from '../domain/change-request.js';
import { type LdApproval, type LdApprovalNews, stateAfter } from '../domain/ld-approval.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { LaunchDarklyClient, LdApprovalRequest } from '../launchdarkly/client.js';
import { LdError, LdNotFoundError } from '../launchdarkly/errors.js';
import type { Logger } from '../log.js';
import type { LdApprovalStore } from '../store/ld-approval-store.js';
import type { ChangeResult } from './apply-change.js';
import { describeLdError } from './ld-errors.js';
import type { Provenance } from './record.js';

/** A request nobody tells us about is read this often, at most (PRODUCT §14). */
export const LD_CHECK_EVERY_MS = 60_000;
/**
 * Where webhooks or the audit log tell of every review (webhooks on, or the environment watched),
 * a request is still read this often, in case an entry was missed.
 */
export const LD_CHECK_FOLLOWED_EVERY_MS = 10 * 60_000;

export interface LdApprovalsDeps {
  /** The service token: reads, and what the requester may do when the bot acts as itself. */
  ld: LaunchDarklyClient;
  store: LdApprovalStore;
  logger: Logger;
  now: () => number;
  /** APPROVAL_TIMEOUT: after it, "still pending" is said once. */
  timeoutMs: number;
  /** Whether entries about this resource's approval requests reach the bot (webhooks, a watch). */
  followed: (resource: ResourceRef) => Promise<boolean>;
}

/** The follower as the app and the passes build it: one rule for "followed", one timeout. */
export function ldApprovalsFor(
  deps: Pick<Deps, 'ld' | 'ldApprovalStore' | 'watches' | 'logger'> & { now: () => number },
  config: Pick<Config, 'approvals' | 'watch'>,
): LdApprovals {
  return new LdApprovals({
    ld: deps.ld,
    store: deps.ldApprovalStore,
    logger: deps.logger,
    now: deps.now,
    timeoutMs: config.approvals.timeoutMs,
    followed: async (resource) =>
      config.watch.webhookSecret !== undefined || (await deps.watches.environment(resource)) !== undefined,
  });
}

/**
 * LaunchDarkly's own approval requests the bot created (PRODUCT §14): written down with the change
 * that asked for them, read when a webhook or the audit log says something happened (else at most
 * once a minute), applied once approved, and each outcome found once, whichever replica reads.
 */
export class LdApprovals {
  constructor(private readonly deps: LdApprovalsDeps) {}

  /** Writes down the request a change made, with the expiry to set once it is applied. */
  async record(result: ChangeResult, who: Requester, provenance: Provenance | undefined): Promise<void> {
    const asked = result.ldApproval;
    if (!asked) return;
    const waiting = result.results.filter((r) => r.ok && r.awaitingApproval).map((r) => r.target);
    const now = this.deps.now();
    const request = { ...result.request, targets: waiting, grant: false };
    await this.deps.store.create(
      {
        id: asked.id,
        url: asked.url,
        who,
        request,
        ...(provenance ? { provenance } : {}),
        channelId: provenance?.channelId ?? who.channelId,
        createdAt: now,
        nextCheckAt: now + LD_CHECK_EVERY_MS,
      },
      now,
    );
  }

  /** The message that told of the request: its outcome is said in that thread. */
  async thread(result: ChangeResult, channelId: string, messageTs: string): Promise<void> {
    if (result.ldApproval) await this.deps.store.setThread(result.ldApproval.id, channelId, messageTs);
  }

  /** Open requests whose next read is due. */
  due(): Promise<LdApproval[]> {
    return this.deps.store.due(this.deps.now());
  }

  /** Open requests, for /expire list and Home. */
  open(filter: { resource?: ResourceRef; requesterId?: string }): Promise<LdApproval[]> {
    return this.deps.store.open(filter);
  }

  get(id: string): Promise<LdApproval | undefined> {
    return this.deps.store.get(id);
  }

  /**
   * Reads one request, if no other replica is reading it: what it came to, if anything new.
   * Throws an LdError when LaunchDarkly could not be asked; the next read is then the claimed one.
   */
  async check(approval: LdApproval): Promise<LdApprovalNews | undefined> {
    const { deps } = this;
    const now = deps.now();
    const every = (await deps.followed(approval.request.resource))
      ? LD_CHECK_FOLLOWED_EVERY_MS
      : LD_CHECK_EVERY_MS;
    // "Still pending" is said when the timeout comes, not at the next read after it.
    const timeoutAt = approval.createdAt + deps.timeoutMs;
    const next =
      approval.pendingToldAt === undefined && timeoutAt > now
        ? Math.min(now + every, timeoutAt)
        : now + every;
    if (!(await deps.store.claimCheck(approval, next))) return undefined;
    const ref = approval.request.resource;
    const timedOut = approval.pendingToldAt === undefined && now >= timeoutAt;
    let request: LdApprovalRequest;
    try {
      request = await deps.ld.getApprovalRequest(ref, approval.id);
    } catch (error) {
      if (error instanceof LdNotFoundError) return { kind: 'deleted' };
      // Unreadable for so long (a token that lost its role, an outage): the requester hears it.
      if (timedOut && error instanceof LdError)
        return { kind: 'still-pending', unreadable: describeLdError(error, ref) };
      throw error;
    }
    const news = newsOf(request);
    if (news && news.kind !== 'approved') return news;
    // Approved but not applied (LaunchDarkly refused the bot's apply) waits like any other.
    if (timedOut) return { kind: 'still-pending' };
    return news;
  }

  /** Moves a request to what it came to; false when another replica said it first. */
  settle(approval: LdApproval, news: LdApprovalNews): Promise<boolean> {
    const now = this.deps.now();
    if (news.kind === 'still-pending') return this.deps.store.markPendingTold(approval.id, now);
    const state = stateAfter(news);
    return state === 'open' ? Promise.resolve(false) : this.deps.store.settle(approval.id, state, now);
  }
}

/** What LaunchDarkly's answer says happened; undefined while it waits. */
function newsOf(request: LdApprovalRequest): LdApprovalNews | undefined {
  if (request.status === 'completed') return { kind: 'completed' };
  if (request.status === 'failed') return { kind: 'failed' };
  if (request.status === 'pending' && request.reviewStatus === 'approved') return { kind: 'approved' };
  if (request.reviewStatus === 'declined') {
    const decline = [...(request.allReviews ?? [])].reverse().find((r) => r.kind === 'decline');
    return {
      kind: 'declined',
      ...(decline?.memberId ? { by: decline.memberId } : {}),
      ...(decline?.comment ? { comment: decline.comment } : {}),
    };
  }
  return undefined;
}
