import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { ldApprovalsFor } from '../services/ld-approvals.js';
import { submitNews } from '../slack/ld-approval-news.js';

export interface LdApprovalPassDeps
  extends Pick<Deps, 'ld' | 'ldApprovalStore' | 'watches' | 'logger' | 'work'> {
  config: Pick<Config, 'approvals' | 'watch'>;
  now: () => number;
  stopping: () => boolean;
}

/**
 * Reads the LaunchDarkly approval requests whose read is due (a webhook or the audit log said
 * something happened, or a minute passed) and hands what each came to to a job — one per request
 * and piece of news, so that two replicas finding the same news submit it once.
 */
export async function runLdApprovalPass({
  deps,
}: {
  deps: LdApprovalPassDeps;
}): Promise<{ read: number; news: number }> {
  const follower = ldApprovalsFor(deps, deps.config);
  let read = 0;
  let news = 0;
  for (const approval of await follower.due()) {
    if (deps.stopping()) break;
    try {
      const found = await follower.check(approval);
      read++;
      if (!found) continue;
      if ((await submitNews(deps, approval.id, found)) === 'queued') news++;
    } catch (error) {
      deps.logger.warn({ err: error, id: approval.id }, 'could not read a LaunchDarkly approval request');
    }
  }
  return { read, news };
}
