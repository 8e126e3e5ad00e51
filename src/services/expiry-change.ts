import type { Deps } from '../deps.js';
import type { Requester } from '../domain/change-request.js';
import { auditComment } from '../domain/comment.js';
import type { Expiry } from '../domain/expiry.js';
import { targetLabel } from '../domain/targets.js';
import type { Timing } from '../domain/timing.js';
import { VERBS, type Verb } from '../domain/vocabulary.js';
import { asExpiry } from '../domain/watch.js';
import type { ApplyOptions } from './apply-change.js';
import type { ChangeOutcome, Changes } from './request-change.js';

/** An expiry a button names: the bot's own, or (`watched`) one mirrored from a watched environment. */
export type KnownExpiry = Expiry & { watched?: true };

/** The expiry with this id, the bot's own first, then the mirror's. */
export async function findExpiry(
  id: string,
  deps: Pick<Deps, 'store' | 'mirror'>,
): Promise<KnownExpiry | undefined> {
  const own = await deps.store.get(id);
  if (own) return own;
  const mirrored = await deps.mirror.get(id);
  return mirrored && asExpiry(mirrored);
}

/** What became of a change asked on one known expiry. */
export type ExpiryChangeOutcome =
  /** Done; `expiresAt` is its new instant, absent when it no longer expires (cancelled, removed). */
  | { kind: 'done'; expiresAt: number | undefined; warning?: string }
  /** LaunchDarkly refused it for this target (not targeted any more, say). */
  | { kind: 'target-failed'; message: string }
  | Exclude<ChangeOutcome, { kind: 'applied' }>;

/**
 * A change asked on one expiry the bot knows (a reminder's buttons, an after-expiry message's
 * Remove now, the Home tab, Extend): the one change path, the click itself being the confirmation.
 * A watched expiry becomes the clicker's, its reminders threaded under the message clicked; the
 * mirror follows at once (the next sync would read it back anyway).
 */
export async function changeExpiry(
  expiry: KnownExpiry,
  verb: Verb,
  timing: Timing,
  ctx: {
    who: Requester;
    /** The message the change was asked from, if any (not on the Home tab). */
    message?: { channel: string; ts: string };
    plan: Pick<ApplyOptions, 'resumed' | 'onPlan'>;
    /** Under which id a change that needs approval is held (noted by the job, found again on a resume). */
    holdId: string;
    /** The new time as typed, for approvers. */
    words?: string;
    /** The watching channels the clicker is in (from the Home tab, where no message was clicked). */
    theirWatching?: () => Promise<readonly string[]>;
  },
  deps: Pick<Deps, 'mirror' | 'now' | 'watches'> & { changes: Changes },
): Promise<ExpiryChangeOutcome> {
  const { who } = ctx;
  // Held for approval where it was asked: the message clicked; else (Home) the expiry's channel,
  // or for a watched expiry (which has none) the channel of theirs that has watched its environment
  // longest — never one they are not in; looked up only when it is held. '' when none does: the
  // request is then withdrawn and the person told why.
  const holdIn =
    ctx.message?.channel ??
    (expiry.watched && !expiry.channelId
      ? async () =>
          (await deps.watches.firstWatching(expiry.resource, (await ctx.theirWatching?.()) ?? [])) ?? ''
      : expiry.channelId);
  const outcome = await deps.changes.request(
    {
      who,
      request: {
        verb,
        resource: expiry.resource,
        targets: [expiry.target],
        ...timing,
        targetType: expiry.targetType ?? 'included',
        grant: false,
        ...(ctx.words ? { words: ctx.words } : {}),
        comment: auditComment(
          who,
          `reminder: ${verb} ${targetLabel(expiry.target)} on ${expiry.resource.kind} ${expiry.resource.key}`,
        ),
      },
      confirmed: true,
      hold: { id: ctx.holdId, channelId: holdIn },
      provenance: expiry.watched
        ? {
            requestedBy: who.userId,
            channelId: ctx.message?.channel ?? who.channelId,
            messageTs: ctx.message?.ts,
          }
        : { requestedBy: expiry.requestedBy, channelId: expiry.channelId, messageTs: expiry.messageTs },
    },
    ctx.plan,
  );
  if (outcome.kind !== 'applied') return outcome;
  const result = outcome.result.results[0]!;
  if (!result.ok) return { kind: 'target-failed', message: result.message ?? 'failed' };
  const expiresAt = VERBS[verb].op === 'remove' ? undefined : result.expiresAt;
  if (expiry.watched) {
    if (expiresAt !== undefined)
      await deps.mirror.setExpiresAt(expiry.id, expiresAt, deps.now().getTime(), `<@${who.userId}>`);
    else await deps.mirror.delete(expiry.id);
  }
  return { kind: 'done', expiresAt, ...(outcome.warning ? { warning: outcome.warning } : {}) };
}
