import type { Verb } from '../domain/vocabulary.js';

/** Every command name, callback_id, block_id and action_id: the only place these strings live. */

export const COMMAND = '/expire';

export const ACTIONS = {
  reminderExtend: 'reminder_extend',
  reminderCancel: 'reminder_cancel',
  reminderRemoveNow: 'reminder_remove_now',
  /** Remove now on an after-expiry message: the target was still there after its expiry. */
  passedRemoveNow: 'passed_remove_now',
  /** The Home tab's menu on each expiry (Extend, Cancel expiry, Remove now). */
  homeExpiry: 'home_expiry',
  listPage: 'known_list_page',
  confirm: 'protected_confirm',
  cancelConfirm: 'protected_cancel',
  /** On an approval request in the channel. */
  approvalApprove: 'approval_approve',
  approvalDecline: 'approval_decline',
  /** In the requester's private answer. */
  approvalWithdraw: 'approval_withdraw',
  /** On a message naming a LaunchDarkly approval request: a linked person's own review. */
  ldReviewApprove: 'ld_review_approve',
  ldReviewDecline: 'ld_review_decline',
  /** The button (a link to LaunchDarkly's authorization page) of `/expire link` and of a change held for a link. */
  linkOpen: 'ld_link_open',
} as const;

/** A reminder's button for a verb done at once (`VerbSpec.onExpiry`): the ids its messages carry. */
const REMINDER_VERB_ACTIONS: Partial<Record<Verb, string>> = {
  remove: ACTIONS.reminderCancel,
  revoke: ACTIONS.reminderRemoveNow,
};
export const reminderActionOf = (verb: Verb): string => REMINDER_VERB_ACTIONS[verb] ?? `reminder_${verb}`;

export const VIEWS = {
  extend: 'extend_expiry',
  confirm: 'confirm_protected',
  /** Decline's form: an optional reason. */
  decline: 'approval_decline_form',
} as const;

export const BLOCKS = {
  reminderActions: 'reminder_actions',
  /** Prefix: one actions block per target in a grouped reminder of a watched environment. */
  watchedReminderActions: 'watched_reminder',
  extendWhen: 'extend_when',
  approvalActions: 'approval_actions',
  ldReviewActions: 'ld_review_actions',
  declineReason: 'decline_reason',
} as const;

export const INPUTS = {
  extendWhen: 'extend_when_text',
  declineReason: 'decline_reason_text',
} as const;

/** The `/expire` modal: one block id and one action id per field. */
export const MODAL = {
  callbackId: 'expire_modal',
  blocks: {
    action: 'm_action',
    kind: 'm_kind',
    project: 'm_project',
    environment: 'm_env',
    resource: 'm_resource',
    variation: 'm_variation',
    targetType: 'm_target_type',
    targets: 'm_targets',
    when: 'm_when',
    preview: 'm_when_preview',
    grant: 'm_grant',
    reason: 'm_reason',
  },
  actions: {
    action: 'm_action_radio',
    kind: 'm_kind_radio',
    project: 'm_project_text',
    environment: 'm_env_select',
    flag: 'm_flag_select',
    segment: 'm_segment_select',
    variation: 'm_variation_select',
    targetType: 'm_target_type_radio',
    targets: 'm_targets_text',
    when: 'm_when_text',
    grant: 'm_grant_check',
    reason: 'm_reason_text',
  },
} as const;
