import type { Logger } from '../log.js';
import type { JobKindName } from '../work/kinds.js';
import { BUSY, TAKE_ON_FAILED } from './announce.js';
import type { ListenerDeps } from './context.js';

/**
 * Writes a request down as a job before its ack. Returns the answer for the ack when the request
 * is not taken on ('full', or the store failing), undefined when it is (or was already: the same
 * request delivered again).
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
    return TAKE_ON_FAILED;
  }
}
