/** Every command name, callback_id, block_id and action_id: the only place these strings live. */

export const COMMAND = '/expire';
