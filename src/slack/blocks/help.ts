import type { KnownBlock } from '@slack/types';
import { ARGUMENT_HELP } from '../../domain/timing.js';
import { COMMAND_VERBS, VERBS } from '../../domain/vocabulary.js';
import { COMMAND } from '../ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

export const USAGE = [
  `${COMMAND}  — open a form`,
  `${COMMAND} help  — this message`,
  ...COMMAND_VERBS.flatMap((verb) => (VERBS[verb].usage ?? []).map((line) => `${COMMAND} ${line}`)),
  `${COMMAND} list flag|segment <key> [options]  — what LaunchDarkly has scheduled on it`,
  `${COMMAND} list  — upcoming expiries scheduled through me, and in environments your channels watch`,
  `${COMMAND} watch [--project <p>] [--env <e>]  — this channel follows every expiring target there`,
  `${COMMAND} unwatch [--project <p>] [--env <e>]`,
  `${COMMAND} watching  — what this channel follows`,
  `${COMMAND} approvals  — the requests waiting for approval in this channel`,
  `${COMMAND} link | unlink | whoami  — your LaunchDarkly account: link it so I act as you, undo it, who I act as`,
].join('\n');

export const TARGETS_HELP =
  '*<targets>* one word, keys separated by commas: `sandy,bob` are users; `organization:acme` is a context of kind `organization`.';

export const OPTIONS_HELP = [
  '*Options* (anywhere after the key):',
  '`--env <key>` and `--project <key>` (defaults are set by your admin)',
  '`--variation <name|value|index>` (flags; needed only when I cannot tell it from the current targets)',
  '`--excluded` (segments; the default is included)',
  '`--grant` (add the targets to individual targeting first when they are missing)',
  '`--reason "…"` (why, for the approvers of an environment that needs approval)',
].join('\n');

export const WHEN_HELP = [
  '*<when>* the rest of the line, read in your Slack time zone:',
  "• relative: `in 90 minutes`, `in 20'`, `today in two hours`, `an hour from right now`, `in 36 hours`, `in 2 weeks`, `in 3 days at 5pm`, `+2d`, `2w`, `in 1 month`, `in a fortnight`, `2 days from now`",
  '• fractions: `in half an hour`, `in a quarter of an hour`, `in 1/2 h`, `in 2 and a half hours`, `in an hour and a half`',
  '• days: `tomorrow`, `tmrw 9am`, `day after tomorrow 5pm`, `friday at 5pm`, `this coming friday`, `friday after next`, `two weeks hence`, `3 fridays from now`, `monday of next week`, `a week from tomorrow`, `next week` (Monday 09:00), `christmas`',
  '• `next friday` is the Friday of next week (Monday to Sunday); `this friday` the coming one; `friday after next` the Friday of the week after next',
  '• in a month: `the 15th`, `20th of next month`, `20 of next month`, `Tuesday the 24th`, `Mon the 23rd`, `first tuesday of october`, `last friday of the month`, `last day of next month`, `last business day of december`',
  '• ends: `eod` / `cob` (17:00 today), `eod friday`, `end of week` (Friday 17:00), `end of month`, `end of quarter`, `end of year` (last day, 17:00), `first thing monday` (09:00)',
  '• months, quarters, years: `next March`, `March after next`, `in March`, `Q3`, `third quarter`, `2027Q1`, `next quarter`, `the 2nd quarter of 2027`, `in 2027` (the first day, 09:00)',
].join('\n');

export const WHEN_CLOCK_HELP = [
  '• clock times: `5pm`, `17:00`, `3p`, `3:15p`, `3:30 p m`, `15h`, `15h30`, `at 1030`, `noon`, `midnight`, `ten thirty am`, `seven thirty p.m.`, `16h45`, `about 5pm`, `5pm-ish`',
  '• around a time: `half past 3 pm`, `half four` (4:30, the next one ahead), `a quarter to noon`, `10 to noon`, `20 minutes from 2pm`, `20 minutes past 14h`, `ten past 9am`',
  '• part of the day: `8 tonight` (20:00), `9 tomorrow morning`, `3 this afternoon`, `4 in the morning`, `at 815 in the evening`, `10 tomorrow` (a bare hour on a day: 8–11 am, 12–5 pm), `tonight` (22:00), `this evening` (20:00), `tomorrow morning` (09:00), `same time tomorrow`',
  '• dates: `Dec 3`, `Dec 3rd 9:30am`, `3 December 2026 14:00`, `Fri, Dec 4`, `2026-12-03`, `2026-12-03 14:00`, `2026-12-03T14:00`',
  '• another zone: `5pm PST`, `9am ET`, `17:00 CET`, `7:30pm IST` (India), `5pm CST` (US Central), `Wed at 10 GMT`, `5pm London time`, `17:00 Europe/Berlin`, `2026-12-03 14:00 UTC`',
  'A date without a time means 09:00. `12/03` is read month/day (3 December); write `2026-12-03` to be sure.',
  'Add am or pm to a bare hour (`at 5` could be either). "In N days/weeks/months" keeps the clock time; "in N hours/minutes" counts elapsed time.',
  "I refuse rather than guess, and say why: a time in the past (`last tuesday`, `monday of this week` said on a Thursday), a weekday that is not its date's (`Fri, Jul 18` when that is a Saturday), a zone name used for several zones (`AST`) or one out of season (`PST` in July, `BST` in winter), a number alone (`7`, `the 24`), `today` alone (say _today 5pm_), a span (`upcoming two weeks`), `midnight friday` (its start or its end?), less than a minute away, more than 5 years away, or text I only partly understand.",
].join('\n');

export const EXAMPLES = [
  `${COMMAND} flag new-checkout sandy,bob next friday 5pm`,
  `${COMMAND} segment beta-testers organization:acme in 2 weeks --env staging`,
  `${COMMAND} update flag new-checkout sandy Dec 3 9:30am`,
  `${COMMAND} remove segment beta-testers organization:acme`,
].join('\n');

/** The usage of `/expire`, optionally under a line saying what was wrong. */
export function helpMessage(problem?: string): { text: string; blocks: KnownBlock[] } {
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const blocks: KnownBlock[] = [
    ...(problem ? [section(`:warning: ${escapeMrkdwn(problem)}`)] : []),
    section(`*Usage*\n\`\`\`${USAGE}\`\`\``),
    section(TARGETS_HELP),
    section(WHEN_HELP),
    section(WHEN_CLOCK_HELP),
    ...Object.values(ARGUMENT_HELP).map((text) => section(text)),
    section(OPTIONS_HELP),
    section(`*Examples*\n\`\`\`${EXAMPLES}\`\`\``),
  ];
  return { text: problem ? escapeMrkdwn(problem) : `Usage of ${COMMAND}`, blocks };
}
