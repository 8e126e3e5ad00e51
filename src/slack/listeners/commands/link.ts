import { LINK_STATE_TTL_MS } from '../../../services/linking.js';
import { actingMessage, LINK_MESSAGES, linkMessage } from '../../blocks/link.js';
import { textMessage } from '../../blocks/text.js';
import type { ListenerDeps } from '../../context.js';
import type { CommandArgs } from './args.js';

/**
 * `/expire link`: a private answer with the button to LaunchDarkly's authorization page, its
 * `state` bound to this person and workspace.
 */
export async function runLink({ ack, command, respond }: CommandArgs, deps: ListenerDeps): Promise<void> {
  if (!deps.linking)
    return void (await ack({ response_type: 'ephemeral', text: LINK_MESSAGES.notConfigured }));
  await ack();
  const url = await deps.linking.start(command.user_id, command.team_id);
  await respond({
    response_type: 'ephemeral',
    ...linkMessage(LINK_MESSAGES.linkPrompt(LINK_STATE_TTL_MS), url),
  });
}

/** `/expire unlink`: the link removed, then revoked in LaunchDarkly. */
export async function runUnlink({ ack, command, respond }: CommandArgs, deps: ListenerDeps): Promise<void> {
  if (!deps.linking)
    return void (await ack({ response_type: 'ephemeral', text: LINK_MESSAGES.notConfigured }));
  await ack();
  const outcome = await deps.linking.unlink(command.user_id);
  const text =
    outcome.kind === 'not-linked'
      ? LINK_MESSAGES.notLinked
      : LINK_MESSAGES.unlinked(outcome.member, outcome.revoked);
  await respond({ response_type: 'ephemeral', ...textMessage(text) });
}

/** `/expire whoami`: who LaunchDarkly sees when this person's changes are made. */
export async function runWhoami({ ack, command, respond }: CommandArgs, deps: ListenerDeps): Promise<void> {
  await ack();
  await respond({ response_type: 'ephemeral', ...actingMessage(await deps.actAs.acting(command.user_id)) });
}
