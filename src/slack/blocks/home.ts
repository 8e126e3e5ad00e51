import type { HomeView, KnownBlock } from '@slack/types';
import type { Approval } from '../../domain/approval.js';
import type { Expiry } from '../../domain/expiry.js';
import type { LdApproval } from '../../domain/ld-approval.js';
import { targetLabel } from '../../domain/targets.js';
import { EXPIRY_VERBS, VERBS } from '../../domain/vocabulary.js';
import { formatRelative, slackDate } from '../../domain/when-format.js';
import type { Upcoming } from '../../services/home.js';
import { ACTIONS, COMMAND } from '../ids.js';
import { HOME_ACTIONS, type HomeAction, homeChoiceValue } from '../parse/reminder.js';
import { homeApprovalBlocks } from './approval.js';
import { EXAMPLES, USAGE } from './help.js';
import { ldWaitingBlocks } from './ld-approval.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { describe } from './reminder.js';
import { context, section, WATCHED_UNKNOWN } from './text.js';

export const HOME_TITLE = 'Your expiries';
/** Approval requests the Home tab shows of each kind (two blocks each): the view holds 100 blocks. */
export const HOME_APPROVALS_LIMIT = 8;
export const HOME_EMPTY = `Nothing you scheduled, and nothing in the environments your channels watch, is about to expire. Schedule one with \`${COMMAND}\` in any channel.`;
export const HOME_COUNT = (total: number) =>
  total === 1 ? '1 expiry, soonest first.' : `${total.toLocaleString('en-US')} expiries, soonest first.`;
export const HOME_MORE = (shown: number, total: number) =>
  `Showing the ${shown} soonest of ${total.toLocaleString('en-US')}. \`${COMMAND} list\` shows them all.`;
export const HOME_STALE =
  'That expiry changed or was handled meanwhile, so I did nothing. Your Home tab now shows what is scheduled.';
export const HOME_WATCHED_UNKNOWN = WATCHED_UNKNOWN('Open this tab again in a moment.');
export const HOME_HOW_TO = 'How to';
/** The menu on each expiry: Extend opens a form, the verbs done at once on an expiry follow. */
export const HOME_CHOICES = {
  extend: 'Extend…',
  ...Object.fromEntries(EXPIRY_VERBS.map((verb) => [verb, VERBS[verb].onExpiry!.label])),
} as Record<HomeAction, string>;

/** One expiry: what and when, and a menu with what the reminders offer (one block each, so 50 fit). */
function expiryBlock(e: Expiry, now: number): KnownBlock {
  const label = escapeMrkdwn(targetLabel(e.target));
  const option = (v: HomeAction) => ({
    text: { type: 'plain_text' as const, text: HOME_CHOICES[v] },
    value: homeChoiceValue(v, e.id, e.expiresAt),
  });
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `${describe(e)}\nexpires ${slackDate(e.expiresAt)} (${formatRelative(e.expiresAt, now)})`,
    },
    accessory: {
      type: 'overflow',
      action_id: ACTIONS.homeExpiry,
      options: HOME_ACTIONS.map(option),
      // One dialog for the menu: Remove now takes access away at once.
      confirm: {
        title: { type: 'plain_text', text: 'Change this expiry?' },
        text: {
          type: 'mrkdwn',
          text: [
            'Extend opens a form.',
            ...EXPIRY_VERBS.map((verb) => {
              const { label: name, does } = VERBS[verb].onExpiry!;
              return `${name} ${does(`\`${label}\``, escapeMrkdwn(e.resource.key))}.`;
            }),
          ].join(' '),
        },
        confirm: { type: 'plain_text', text: 'Go on' },
        deny: { type: 'plain_text', text: 'Leave it' },
      },
    },
  };
}

/**
 * The Home tab: a person's expiries soonest first (at most as many as `upcoming` holds, which the
 * service caps at 50, so the view stays far below Slack's 100 blocks), then how to use the bot.
 */
export function homeView(
  upcoming: Upcoming,
  now: number,
  options: {
    watchedUnknown?: boolean;
    /** With APPROVERS set: what waits for this person's approval, and their own requests that wait. */
    approvals?: { awaiting: readonly Approval[]; asked: readonly Approval[] };
    /** The person's targets waiting for LaunchDarkly's own approval requests. */
    ldWaiting?: readonly LdApproval[];
  } = {},
): HomeView {
  const { items, total } = upcoming;
  const blocks: KnownBlock[] = [
    ...(options.approvals ? homeApprovalBlocks(options.approvals, HOME_APPROVALS_LIMIT) : []),
    { type: 'header', text: { type: 'plain_text', text: HOME_TITLE } },
  ];
  if (options.watchedUnknown) blocks.push(context(HOME_WATCHED_UNKNOWN));
  if (items.length === 0) blocks.push(section(HOME_EMPTY));
  else {
    blocks.push(context(HOME_COUNT(total)));
    for (const e of items) blocks.push(expiryBlock(e, now));
    if (total > items.length) blocks.push(context(HOME_MORE(items.length, total)));
  }
  blocks.push(...ldWaitingBlocks(options.ldWaiting ?? [], 5));
  blocks.push(
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: HOME_HOW_TO } },
    section(`\`\`\`${USAGE}\`\`\``),
    section(`*Examples*\n\`\`\`${EXAMPLES}\`\`\``),
    context(`\`${COMMAND} help\` explains targets, times and options.`),
  );
  return { type: 'home', blocks };
}
