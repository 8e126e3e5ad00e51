/** Every command name, callback_id, block_id and action_id: the only place these strings live. */

export const COMMAND = '/expire';

export const ACTIONS = {
  reminderExtend: 'reminder_extend',
  reminderCancel: 'reminder_cancel',
  reminderRemoveNow: 'reminder_remove_now',
  listPage: 'known_list_page',
} as const;

export const VIEWS = {
  extend: 'extend_expiry',
} as const;

export const BLOCKS = {
  reminderActions: 'reminder_actions',
  extendWhen: 'extend_when',
} as const;

export const INPUTS = {
  extendWhen: 'extend_when_text',
} as const;
