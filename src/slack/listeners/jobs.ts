import { webhookJob } from '../../webhook.js';
import type { JobKindName } from '../../work/kinds.js';
import type { JobKind } from '../../work/worker.js';
import type { ListenerDeps } from '../context.js';
import { ldApprovalNewsJob } from '../ld-approval-news.js';
import { holdingForLink } from '../link-hold.js';
import { approvalApplyJob } from './actions/approval-apply.js';
import { approvalDecisionJob, approvalVoteJob } from './actions/approval-buttons.js';
import { confirmedJob } from './actions/confirm.js';
import { ldReviewJob } from './actions/ld-review-buttons.js';
import { reminderButtonJob } from './actions/reminder-buttons.js';
import { commandJob } from './commands/change.js';
import { unwatchJob } from './commands/unwatch.js';
import { watchJob } from './commands/watch.js';
import { confirmedFormJob } from './views/confirm.js';
import { extendJob } from './views/extend.js';
import { formJob } from './views/modal.js';

/**
 * What each kind of durable job does, one row per name of `work/kinds.ts` (the compiler asks for
 * a row when a name is added). Every kind is handled on every replica, so a job written before a
 * deploy, or by another replica, always finds its handler.
 */
export const JOB_HANDLERS: Record<JobKindName, (deps: ListenerDeps) => JobKind> = {
  command: commandJob,
  watch: watchJob,
  unwatch: unwatchJob,
  form: formJob,
  confirmed: confirmedJob,
  'confirmed-form': confirmedFormJob,
  extend: extendJob,
  'reminder-button': reminderButtonJob,
  'launchdarkly-webhook': webhookJob,
  'approval-vote': approvalVoteJob,
  'approval-decision': approvalDecisionJob,
  'approval-apply': approvalApplyJob,
  'launchdarkly-approval': ldApprovalNewsJob,
  'launchdarkly-review': ldReviewJob,
};

export function registerJobs(deps: ListenerDeps): void {
  // A change whose person must link first (LD_ACT_AS=person) waits for the link in its job.
  for (const [kind, handler] of Object.entries(JOB_HANDLERS))
    deps.work.handle(kind, holdingForLink(handler(deps), deps));
}
