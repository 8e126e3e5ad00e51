import type { Logger } from '../log.js';
import { readOnlyReason } from '../store/write-probe.js';
import type { JobKindName } from '../work/kinds.js';
import { BUSY, TAKE_ON_FAILED, TAKE_ON_READ_ONLY } from './announce.js';
import type { ListenerDeps } from './context.js';

/**
 * A button click written down as a job, then acked; when it was not taken on, the clicker hears
 * why, privately, through the click's own response_url.
 */
export async function takeOnClick(
  click: {
    ack: () => Promise<void>;
    /** Absent for a click on the Home tab: the clicker then hears by DM. */
    respond?: (message: object) => Promise<unknown>;
    body: { user: { id: string } };
  },
  deps: Pick<ListenerDeps, 'work' | 'slack'> & { logger: Logger },
  job: { kind: JobKindName; id: string; payload: unknown },
): Promise<void> {
  const refused = await takeOn(deps, job.kind, job.id, job.payload);
  await click.ack();
  if (!refused) return;
  if (click.respond)
    await click.respond({ response_type: 'ephemeral', replace_original: false, text: refused });
  else await deps.slack.chat.postMessage({ channel: click.body.user.id, text: refused });
}

/**
 * Writes a request down as a job before its ack. Returns the answer for the ack when the request
 * is not taken on ('full', or the store failing or taking only reads), undefined when it is (or
 * was already: the same request delivered again).
 */
export async function takeOn(
  deps: Pick<ListenerDeps, 'work'> & { logger: Logger },
  kind: JobKindName,
  id: string,
  payload: unknown,
): Promise<string | undefined> {
  try {
    const taken = await deps.work.submit(kind, id, payload);
    return taken === 'full' ? BUSY : undefined;
  } catch (error) {
    deps.logger.error({ err: error, kind }, 'could not write a request down');
    const readOnly = readOnlyReason(error);
    return readOnly ? TAKE_ON_READ_ONLY(readOnly) : TAKE_ON_FAILED;
  }
}
