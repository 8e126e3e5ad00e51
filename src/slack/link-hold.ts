import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { LinkRequiredError } from '../services/acting.js';
import { LINK_WAIT_MS } from '../services/linking.js';
import type { Job } from '../store/job-store.js';
import type { JobContext, JobKind, JobResult } from '../work/worker.js';
import { LINK_MESSAGES, linkMessage } from './blocks/link.js';
import { textMessage } from './blocks/text.js';
import type { ListenerDeps } from './context.js';

/**
 * A held change looks again at least this often, besides being woken when its person links: a
 * wake lost between replicas costs at most this long, and the drop after LINK_WAIT_MS comes on time.
 */
const LINK_RECHECK_MS = 30_000;

/** What a job holding its change for a link notes: whose link, since when, and why. */
const linkWait = z.object({
  userId: z.string(),
  since: z.number(),
  reason: z.enum(['not-linked', 'refused']),
});
type LinkWait = z.infer<typeof linkWait>;

/** The workspace the bot is in (auth.test, once): the team a held change's link is bound to. */
const teams = new WeakMap<WebClient, Promise<string>>();
function teamOf(slack: WebClient): Promise<string> {
  let team = teams.get(slack);
  if (!team) {
    team = slack.auth.test().then((a) => a.team_id ?? '');
    team.catch(() => teams.delete(slack));
    teams.set(slack, team);
  }
  return team;
}

/**
 * A job kind that says itself what dropping it means: its change may be half done already (an
 * approval applied in LaunchDarkly, the expiry still to set), where "nothing was sent" is untrue.
 */
export interface LinkAwareJob extends JobKind {
  dropped?(job: Job): Promise<void>;
}

/**
 * Wraps a job kind so that a change whose person must link first (LD_ACT_AS=person, PRODUCT §15)
 * is held, durably, instead of failing: the person is told privately, with the button to link; the
 * job waits (not counted as a try) until they link — `Linking.complete` wakes it — and then runs
 * as asked; after LINK_WAIT_MS without a link it is dropped, and the person told so. Work that
 * never needs a person's link runs as before.
 */
export function holdingForLink(kind: LinkAwareJob, deps: ListenerDeps): JobKind {
  const now = () => deps.now().getTime();
  const dm = (userId: string, message: { text: string }) =>
    deps.slack.chat.postMessage({ channel: userId, ...message });

  async function stillWaiting(job: Job, wait: LinkWait): Promise<JobResult> {
    const left = wait.since + LINK_WAIT_MS - now();
    if (left > 0) return { waitMs: Math.min(left, LINK_RECHECK_MS) };
    if (kind.dropped) await kind.dropped(job);
    else await dm(wait.userId, textMessage(LINK_MESSAGES.dropped(LINK_WAIT_MS)));
    await deps.linking?.release(job.id);
    deps.logger.info(
      { event: 'link-wait-dropped', job: job.id, user: wait.userId },
      'dropped a change that waited for a link',
    );
    return 'failed';
  }

  async function startWaiting(job: Job, ctx: JobContext, error: LinkRequiredError): Promise<JobResult> {
    const { linking } = deps;
    if (!linking) {
      await dm(error.userId, textMessage(`:x: ${LINK_MESSAGES.notConfigured} Nothing was sent.`));
      return 'failed';
    }
    const wait: LinkWait = { userId: error.userId, since: now(), reason: error.reason };
    await ctx.note({ linkWait: wait });
    await linking.hold(job.id, wait.userId, wait.since);
    const url = await linking.start(wait.userId, await teamOf(deps.slack));
    const text =
      wait.reason === 'refused'
        ? LINK_MESSAGES.heldRefused(LINK_WAIT_MS)
        : LINK_MESSAGES.heldNotLinked(LINK_WAIT_MS);
    await dm(wait.userId, linkMessage(text, url));
    deps.logger.info(
      { event: 'link-wait', job: job.id, user: wait.userId, reason: wait.reason },
      'a change waits for its person to link',
    );
    // Linked in the moment since (before this job is queued again, so not woken): at once.
    if (await deps.actAs.isLinked(wait.userId)) return { waitMs: 0 };
    return { waitMs: Math.min(LINK_WAIT_MS, LINK_RECHECK_MS) };
  }

  return {
    ...kind,
    async run(job, ctx) {
      const waited = linkWait.safeParse(job.notes.linkWait).data;
      if (waited && !(await deps.actAs.isLinked(waited.userId))) return stillWaiting(job, waited);
      let result: JobResult;
      try {
        result = await kind.run(job, ctx);
      } catch (error) {
        if (!(error instanceof LinkRequiredError)) throw error;
        return startWaiting(job, ctx, error);
      }
      if (waited) await deps.linking?.release(job.id);
      return result;
    },
  };
}
