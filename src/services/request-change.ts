import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { Approval } from '../domain/approval.js';
import {
  type ChangeRequest,
  changeRequestSchema,
  type Requester,
  requesterSchema,
} from '../domain/change-request.js';
import { parseJson } from '../domain/json.js';
import { decide, groupsIn, type Policy, type Rule } from '../domain/policy.js';
import type { ResourceRef } from '../domain/vocabulary.js';
import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdError, LdUnauthorizedError } from '../launchdarkly/errors.js';
import { changeOutcome } from '../metrics.js';
import { type ActAs, LinkRequiredError } from './acting.js';
import {
  type ApplyOptions,
  applyChange,
  type ChangeResult,
  UncertainChangeError,
  VariationError,
} from './apply-change.js';
import type { Approvals } from './approvals.js';
import type { LdApprovals } from './ld-approvals.js';
import { describeLdError, isTransient, LD_MESSAGES } from './ld-errors.js';
import { type Provenance, recordChange } from './record.js';

/** What became of a request: the surface that asked turns it into its own message. */
export type ChangeOutcome =
  | { kind: 'refused'; resource: ResourceRef; rule?: Rule }
  | { kind: 'needs-confirmation'; confirmationId: string; request: ChangeRequest }
  /** Held until enough approvers say yes (APPROVERS covers its environment). */
  | { kind: 'needs-approval'; approval: Approval }
  | { kind: 'applied'; result: ChangeResult; warning?: string }
  /** `transient`: another try may succeed (an outage, a rate limit); the work may be retried. */
  | { kind: 'failed'; request: ChangeRequest; message: string; transient?: boolean }
  | { kind: 'unconfirmable'; reason: 'expired' } // a Confirm clicked too late or twice
  | { kind: 'unconfirmable'; reason: 'not-yours'; owner: string };

export interface ChangeAsk {
  who: Requester;
  request: ChangeRequest;
  /**
   * The click itself was the confirmation (a reminder's buttons, Extend): protected environments
   * do not ask again. The change policy still applies.
   */
  confirmed?: boolean;
  /** Where the expiries' reminders go; by default the asker and their channel. */
  provenance?: Provenance;
  /** Enough approvers said yes: it is not held for approval again. */
  approved?: boolean;
  /**
   * Where an approval request is posted (or how to find out, asked only when it is held) and under
   * which id it is held: the job's own, so that a resumed job finds the request it held. By default
   * the asker's channel and a new id.
   */
  hold?: { id: string; channelId?: string | (() => Promise<string>) };
}

export interface ChangeDeps
  extends Pick<Deps, 'ld' | 'store' | 'safetyStore' | 'logger' | 'now' | 'metrics'> {
  policy: Policy;
  protectedEnvironments: readonly string[];
  /** The Slack user groups, of those named, that a person belongs to. */
  groupsOf: (userId: string, groupIds: readonly string[]) => Promise<string[]>;
  /** Whether LaunchDarkly marks an environment critical; undefined when it can't say within `waitMs`. */
  isCritical: (resource: ResourceRef, waitMs: number) => Promise<boolean | undefined>;
  /** Approvals in Slack; without it nothing is held for approval. */
  approvals?: Approvals;
  /** LaunchDarkly's own approval requests made by changes, followed until decided. */
  ldApprovals: LdApprovals;
  /** Whose LaunchDarkly client a change goes through (LD_ACT_AS): never `ld` by default. */
  actAs: ActAs;
}

export const CONFIRMATION_TTL_MS = 10 * 60_000;

export const CHANGE_MESSAGES = {
  unexpected:
    'Something went wrong on my side; the details are in my log. Check with /expire list before trying again.',
  unrecorded:
    'LaunchDarkly has the change, but I could not write it down: I will not remind anyone of it. Check /expire list.',
};

const heldAsk = z.object({ who: requesterSchema, request: changeRequestSchema });

/**
 * The one way a change is made, whatever surface asks: the change policy, a confirmation for
 * protected environments, the change in LaunchDarkly, the store kept in step, one log line.
 */
export class Changes {
  constructor(private readonly deps: ChangeDeps) {}

  /**
   * Policy, then protection: allowed now, refused, or held for its asker's confirmation or for
   * approvers (with LD_ACT_AS=person, only once the asker has linked: LinkRequiredError). Before an
   * ack (the form) LaunchDarkly gets 1.5 s to say whether the environment is critical; behind one,
   * ten.
   */
  async check(ask: ChangeAsk, waitMs = 1_500): Promise<ChangeOutcome | { kind: 'allowed' }> {
    const { deps } = this;
    const { resource } = ask.request;
    const groupIds = groupsIn(deps.policy);
    const groups = groupIds.length > 0 ? await deps.groupsOf(ask.who.userId, groupIds) : [];
    const decision = decide(deps.policy, {
      project: resource.projectKey,
      environment: resource.environmentKey,
      userId: ask.who.userId,
      groups,
    });
    if (!decision.allowed) {
      deps.logger.info(
        { event: 'refused', user: ask.who.userId, resource, rule: decision.rule?.text ?? null },
        'change refused by CHANGE_POLICY',
      );
      return { kind: 'refused', resource, rule: decision.rule };
    }
    // Approvers take the place of the Confirm click.
    const rule = ask.approved ? undefined : deps.approvals?.ruleFor(ask.request);
    if (rule) {
      // Acting as the person: they link before approvers are asked, not once it is approved.
      if (deps.actAs.mode === 'person' && !(await deps.actAs.isLinked(ask.who.userId)))
        throw new LinkRequiredError(ask.who.userId, 'not-linked');
      const held = { who: ask.who, request: ask.request, provenance: ask.provenance };
      const { id = randomUUID(), channelId = ask.who.channelId } = ask.hold ?? {};
      const where = typeof channelId === 'function' ? await channelId() : channelId;
      return { kind: 'needs-approval', approval: await deps.approvals!.hold(id, held, rule, where) };
    }
    if (ask.confirmed || !(await this.isProtected(resource, waitMs))) return { kind: 'allowed' };
    const id = randomUUID();
    const now = deps.now().getTime();
    await deps.safetyStore.createConfirmation({
      id,
      user_id: ask.who.userId,
      channel_id: ask.who.channelId,
      request: JSON.stringify({ who: ask.who, request: ask.request }),
      created_at: now,
      expires_at: now + CONFIRMATION_TTL_MS,
    });
    return { kind: 'needs-confirmation', confirmationId: id, request: ask.request };
  }

  /**
   * Check, then apply. The one way a click that answers a question (Confirm; an approval) is acted
   * on: with `confirmed`, protection is not asked again, the change policy is.
   */
  async request(ask: ChangeAsk, options?: ApplyOptions): Promise<ChangeOutcome> {
    const checked = await this.check(ask, 10_000);
    return checked.kind === 'allowed' ? this.apply(ask, options) : checked;
  }

  /**
   * Applies an allowed change and records it before anyone is told. A store that cannot record it
   * throws, so that the work is tried again (reading LaunchDarkly first, finding the change done,
   * recording it) — unless this is the last try: then the person hears that no reminder will come.
   */
  async apply(ask: ChangeAsk, options?: ApplyOptions): Promise<ChangeOutcome> {
    const { deps } = this;
    const { request, who } = ask;
    let outcome: ChangeOutcome;
    let ld: LaunchDarklyClient | undefined;
    try {
      ld = await deps.actAs.clientFor(who.userId);
      const result = await applyChange(request, ld, options);
      if (result.ldApproval && deps.actAs.linkable) result.ldApproval.reviewable = true;
      outcome = { kind: 'applied', result };
    } catch (error) {
      // Nothing was sent: the surface holds the change until its person links.
      if (error instanceof LinkRequiredError) throw error;
      // Their token answered 401 at the first request (it says the same to every one): nothing
      // was sent. Still their link's token: the link is no good, and `rejected` throws to hold the
      // change for a new one, like a refused renewal. A token a newer link replaced: tried again.
      if (error instanceof LdUnauthorizedError && error.actor === 'person' && ld) {
        await deps.actAs.rejected(who.userId, ld);
        outcome = { ...this.failure(request, error), transient: true };
      } else outcome = this.failure(request, error);
    }
    if (outcome.kind === 'applied') {
      try {
        await recordChange(
          outcome.result,
          deps.store,
          ask.provenance ?? { requestedBy: who.userId, channelId: who.channelId },
          deps.now().getTime(),
        );
        await deps.ldApprovals.record(outcome.result, who, ask.provenance);
      } catch (error) {
        if (!options?.final) throw error;
        deps.logger.error({ err: error, resource: request.resource }, 'could not record a change');
        outcome.warning = CHANGE_MESSAGES.unrecorded;
      }
    }
    const results = outcome.kind === 'applied' ? outcome.result.results : [];
    deps.metrics.changes.inc({ verb: request.verb, outcome: changeOutcome(results) });
    deps.logger.info(
      {
        event: 'change',
        user: who.userId,
        verb: request.verb,
        resource: request.resource,
        targets: request.targets.length,
        ok: results.filter((r) => r.ok).length,
        failed: outcome.kind === 'applied' ? results.filter((r) => !r.ok).length : request.targets.length,
        error: outcome.kind === 'failed' ? outcome.message : undefined,
      },
      'expiry change',
    );
    return outcome;
  }

  /** What a failure to apply a change tells its asker, and whether another try may succeed. */
  private failure(request: ChangeRequest, error: unknown): Extract<ChangeOutcome, { kind: 'failed' }> {
    if (error instanceof UncertainChangeError) {
      return { kind: 'failed', request, message: LD_MESSAGES.uncertain(request.resource), transient: true };
    }
    if (error instanceof LdError) {
      const message = describeLdError(error, request.resource);
      return { kind: 'failed', request, message, transient: isTransient(error) };
    }
    if (error instanceof VariationError) return { kind: 'failed', request, message: error.message };
    this.deps.logger.error({ err: error, resource: request.resource }, 'change failed unexpectedly');
    return { kind: 'failed', request, message: CHANGE_MESSAGES.unexpected };
  }

  /** Gives a confirmed change back to its asker when applying it failed: Confirm works again. */
  async reopen(id: string): Promise<void> {
    await this.deps.safetyStore.reopenConfirmation(id);
  }

  /**
   * Threads the reminders of what a change scheduled under the message that announced it, and the
   * news of a LaunchDarkly approval request it made.
   */
  async thread(result: ChangeResult, channelId: string, messageTs: string): Promise<void> {
    const targets = result.results
      .filter((r) => r.ok && r.expiresAt !== undefined && !r.awaitingApproval)
      .map((r) => r.target);
    if (targets.length > 0)
      await this.deps.store.setThread(result.request.resource, targets, channelId, messageTs);
    await this.deps.ldApprovals.thread(result, channelId, messageTs);
  }

  /**
   * Protected: named in PROTECTED_ENVIRONMENTS, or marked critical in LaunchDarkly. When
   * LaunchDarkly can't say in time, the environment is treated as protected: asking once too
   * often is the safe mistake.
   */
  async isProtected(resource: ResourceRef, waitMs: number): Promise<boolean> {
    if (this.deps.protectedEnvironments.includes(resource.environmentKey)) return true;
    return (await this.deps.isCritical(resource, waitMs)) ?? true;
  }

  /**
   * Takes a held change for the person who clicked Confirm or Cancel: only its asker, only once,
   * only within ten minutes. A confirmed one is then requested again (`request`, with `confirmed`):
   * the change policy is asked at the moment of the click, not only when the question was put.
   */
  async claim(
    id: string,
    userId: string,
    outcome: 'confirmed' | 'cancelled',
  ): Promise<ChangeAsk | Extract<ChangeOutcome, { kind: 'unconfirmable' }>> {
    const { safetyStore, now } = this.deps;
    const expired = { kind: 'unconfirmable', reason: 'expired' } as const;
    const pending = await safetyStore.getConfirmation(id);
    if (!pending) return expired;
    if (pending.user_id !== userId)
      return { kind: 'unconfirmable', reason: 'not-yours', owner: pending.user_id };
    if (!(await safetyStore.useConfirmation(id, now().getTime(), outcome))) return expired;
    const held = parseJson(heldAsk, pending.request);
    return held ? { ...held, confirmed: true } : expired;
  }
}
