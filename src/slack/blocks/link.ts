import type { KnownBlock } from '@slack/types';
import type { Acting } from '../../services/acting.js';
import { type LinkedMember, memberOf } from '../../services/linking.js';
import { ACTIONS, COMMAND } from '../ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { context, section, textMessage } from './text.js';

/** "Ada Lovelace (ada@acme.com)", or what LaunchDarkly let the bot read of the member. */
function memberLabel(m: LinkedMember): string {
  if (m.name && m.email) return `${escapeMrkdwn(m.name)} (${escapeMrkdwn(m.email)})`;
  return escapeMrkdwn(m.email ?? m.name ?? `member ${m.memberId}`);
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/** User-facing sentences of linking (PRODUCT §15); tests assert these. */
export const LINK_MESSAGES = {
  notConfigured:
    'Linking LaunchDarkly accounts is not set up here: whoever runs me sets LD_OAUTH_CLIENT_ID, LD_OAUTH_CLIENT_SECRET, PUBLIC_URL and TOKEN_ENCRYPTION_KEY.',
  linkPrompt: (validMs: number) =>
    `Link your LaunchDarkly account so that I act as you there: LaunchDarkly then applies your own role, and its audit log names you. The button works once, for ${minutes(validMs)} minutes.`,
  button: 'Link LaunchDarkly account',
  /** A change held because its person is not linked (LD_ACT_AS=person). */
  heldNotLinked: (waitMs: number) =>
    `:link: I make changes in LaunchDarkly as you, and your Slack account is not linked to LaunchDarkly yet, so nothing was sent. Link it within ${minutes(waitMs)} minutes and your request runs right away; otherwise I drop it.`,
  heldRefused: (waitMs: number) =>
    `:link: LaunchDarkly no longer accepts your linked account (it refused to renew it), so your change did not run and nothing was sent. Link again within ${minutes(waitMs)} minutes and it runs right away; otherwise I drop it.`,
  dropped: (waitMs: number) =>
    `:x: You did not link your LaunchDarkly account within ${minutes(waitMs)} minutes, so I dropped your request: nothing was sent to LaunchDarkly. Link with \`${COMMAND} link\`, then ask again.`,
  /** An approved request whose requester's link was gone when it was to be sent, and stayed gone. */
  approvedNotSent: (requester: string, waitMs: number) =>
    `:x: This request was approved, but <@${requester}> had no working LaunchDarkly link and did not link again within ${minutes(waitMs)} minutes, so nothing was sent to LaunchDarkly. Link with \`${COMMAND} link\`, then ask again.`,
  linked: (m: LinkedMember, waiting: number) =>
    `:white_check_mark: Linked: in LaunchDarkly I act as ${memberLabel(m)} for you from now on.${waiting > 0 ? ` ${waiting === 1 ? 'Your waiting request runs' : `Your ${waiting} waiting requests run`} now.` : ''} \`${COMMAND} unlink\` undoes it.`,
  linkRefused: (code: string) =>
    `:x: LaunchDarkly did not link your account (${escapeMrkdwn(code)}), so nothing changed. Try \`${COMMAND} link\` again.`,
  notYours: (m: LinkedMember) =>
    `:no_entry: The LaunchDarkly account that answered your link (${escapeMrkdwn(m.email ?? m.memberId)}) is not yours by email, so nothing was linked and its grant was revoked. Open the link yourself, logged in to your own LaunchDarkly account.`,
  unconfirmed: (missing: 'slack' | 'launchdarkly') =>
    `:no_entry: I could not confirm that the LaunchDarkly account that answered your link is yours: ${missing === 'slack' ? 'Slack did not show me your email (if this keeps happening, whoever runs me must give the app the `users:read.email` scope)' : 'LaunchDarkly did not show me its email'}. Nothing was linked and its grant was revoked. Try \`${COMMAND} link\` again, logged in to your own LaunchDarkly account.`,
  linkUnavailable: `:x: LaunchDarkly did not complete the link in time, so nothing changed. Try \`${COMMAND} link\` again in a minute.`,
  unlinked: (m: LinkedMember, revoked: boolean) =>
    revoked
      ? `Unlinked: I no longer act as ${memberLabel(m)} in LaunchDarkly, and LaunchDarkly revoked my access.`
      : `Unlinked: I no longer act as ${memberLabel(m)} and forgot the tokens, but LaunchDarkly could not be reached to revoke them: remove the app under *Authorized applications* in your LaunchDarkly profile to be sure.`,
  notLinked: `You have no LaunchDarkly account linked. \`${COMMAND} link\` links one.`,
  whoBot: 'Your changes go to LaunchDarkly with my service token (LD_ACT_AS=bot): LaunchDarkly sees the bot.',
  whoBotLinked: (m: LinkedMember) =>
    `Your changes go to LaunchDarkly with my service token (LD_ACT_AS=bot), not as you; your account ${memberLabel(m)} is linked for when that changes.`,
  whoPerson: (m: LinkedMember) =>
    `In LaunchDarkly I act as ${memberLabel(m)} for you: your changes are made with your own role, and LaunchDarkly's audit log names you.`,
  whoNobody: `In LaunchDarkly I act as each person's own account, and yours is not linked: your changes wait for \`${COMMAND} link\`.`,
};

/** A sentence and the button to LaunchDarkly's authorization page. */
export function linkMessage(text: string, url: string): Message {
  const blocks: KnownBlock[] = [
    section(text),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.linkOpen,
          text: { type: 'plain_text', text: LINK_MESSAGES.button },
          style: 'primary',
          url,
        },
      ],
    },
  ];
  return { text, blocks };
}

/** `/expire whoami`. */
export function actingMessage(acting: Acting): Message {
  switch (acting.as) {
    case 'bot':
      return textMessage(
        acting.linked ? LINK_MESSAGES.whoBotLinked(memberOf(acting.linked)) : LINK_MESSAGES.whoBot,
      );
    case 'person':
      return {
        text: LINK_MESSAGES.whoPerson(memberOf(acting.link)),
        blocks: [
          section(LINK_MESSAGES.whoPerson(memberOf(acting.link))),
          context(
            `Linked <!date^${Math.floor(acting.link.linkedAt / 1_000)}^{date_short} {time}|${new Date(acting.link.linkedAt).toISOString()}>. \`${COMMAND} unlink\` undoes it.`,
          ),
        ],
      };
    default:
      return textMessage(LINK_MESSAGES.whoNobody);
  }
}
