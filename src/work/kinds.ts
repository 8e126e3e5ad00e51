/**
 * Every kind of durable job, by the name stored with it in the jobs table. A stored name outlives
 * the code that wrote it: a job written before a deploy is run after it by whoever handles this
 * name, so a name is never changed or reused (a test holds this list), only added.
 */
export const JOB_KINDS = {
  /** `/expire add|update|extend|remove …` */
  command: 'command',
  /** `/expire watch` and `/expire unwatch` */
  watch: 'watch',
  unwatch: 'unwatch',
  /** The `/expire` form, submitted */
  form: 'form',
  /** Confirm under the command's question for a protected environment */
  confirmed: 'confirmed',
  /** Confirm in the form's question for a protected environment */
  confirmedForm: 'confirmed-form',
  /** The Extend form of a reminder or of the Home tab */
  extend: 'extend',
  /** Cancel expiry / Remove now on a reminder, an after-expiry message or the Home tab */
  reminderButton: 'reminder-button',
  /** A LaunchDarkly webhook's re-read of what it names */
  webhook: 'launchdarkly-webhook',
  /** Approve on a request held for approval */
  approvalVote: 'approval-vote',
  /** Decline (from its form) or Withdraw on a request held for approval */
  approvalDecision: 'approval-decision',
  /** An approved request, sent as its requester */
  approvalApply: 'approval-apply',
  /** What became of a LaunchDarkly approval request the bot made: applied, said, the expiry set */
  ldApproval: 'launchdarkly-approval',
  /** Approve or Decline on a LaunchDarkly approval request, sent as the clicker's own review */
  ldReview: 'launchdarkly-review',
} as const;

export type JobKindName = (typeof JOB_KINDS)[keyof typeof JOB_KINDS];
