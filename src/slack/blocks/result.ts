import type { KnownBlock } from '@slack/types';
import type { ChangeRequest } from '../../domain/change-request.js';
import { groupBy } from '../../domain/group-by.js';
import { targetLabel } from '../../domain/targets.js';
import { describeTiming } from '../../domain/timing.js';
import { VERBS, type Verb } from '../../domain/vocabulary.js';
import { slackDate } from '../../domain/when-format.js';
import type { ChangeResult, TargetResult } from '../../services/apply-change.js';
import { ACTIONS, BLOCKS } from '../ids.js';
import { lookAlikeBlocks } from './look-alikes.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { codeList, context, count, LIMITS, packLines, plural, section, yesNoButtons } from './text.js';

export interface Message {
  text: string;
  blocks: KnownBlock[];
}

/** "sandy (on, granted)"; with its own new time when targets' differ (extend). */
function describeTarget(r: TargetResult, request: ChangeRequest): string {
  const detail = [r.variation, r.targetType, r.granted ? 'granted' : undefined].filter(Boolean).join(', ');
  const own = r.expiresAt !== undefined && r.expiresAt !== request.expiresAt;
  const until = own ? ` → ${slackDate(r.expiresAt!)}` : '';
  return `\`${targetLabel(r.target)}\`${detail ? ` (${escapeMrkdwn(detail)})` : ''}${until}`;
}

function whereLine(request: ChangeRequest, askedBy: string): KnownBlock {
  const ref = request.resource;
  return context(
    `Project \`${ref.projectKey}\` · environment \`${ref.environmentKey}\` · asked by <@${askedBy}>`,
  );
}

/** A change of which nothing was done: why, for everyone in the channel. */
export function failedMessage(request: ChangeRequest, message: string, askedBy: string): Message {
  const ref = request.resource;
  const none = VERBS[request.verb].words.none;
  return {
    text: escapeMrkdwn(`Nothing ${none} on ${ref.kind} ${ref.key}: ${message}`),
    blocks: [
      section(`:x: Nothing ${none} on ${ref.kind} *${ref.key}*: ${escapeMrkdwn(message)}`),
      whereLine(request, askedBy),
    ],
  };
}

/**
 * The message posted in the channel once a change is done: who, what, where, when, and every
 * failure; `warning` says what the person must know beyond it.
 */
export function resultMessage(result: ChangeResult, askedBy: string, warning?: string): Message {
  const { request } = result;
  const ref = request.resource;
  const what = `${ref.kind} *${ref.key}*`;
  const words = VERBS[request.verb].words;
  const verb = words.done;
  const waiting = result.results.filter((r) => r.ok && r.awaitingApproval);
  const ok = result.results.filter((r) => r.ok && !r.awaitingApproval);
  const failed = result.results.filter((r) => !r.ok);
  const total = result.results.length - waiting.length;
  const asked = result.ldApproval && waiting.length > 0 ? ldApprovalLine(result, waiting) : undefined;
  const headline =
    asked && total === 0
      ? asked
      : failed.length === 0
        ? `:white_check_mark: <@${askedBy}> ${verb} ${plural(total, 'target')} on ${what}${describeTiming(request)}.`
        : ok.length === 0
          ? `:x: Nothing ${words.none} on ${what}: ${plural(failed.length, 'target')} failed.`
          : `:warning: Partly done: <@${askedBy}> ${verb} ${count(ok.length)} of ${plural(total, 'target')} on ${what}${describeTiming(request)}; ${count(failed.length)} failed.`;

  const blocks: KnownBlock[] = [section(headline), whereLine(request, askedBy)];
  if (asked && total > 0) blocks.push(section(asked));
  if (asked && result.ldApproval?.reviewable) blocks.push(ldReviewButtons(result.ldApproval.id));
  if (warning) blocks.push(section(`:warning: ${escapeMrkdwn(warning)}`));
  blocks.push(...lookAlikeBlocks(request.targets));
  // Room for the failure groups first: they are what someone has to act on.
  const failureBlocks = failureSections(failed, LIMITS.messageBlocks - blocks.length - 2);
  if (ok.length > 0) blocks.push(section(succeededLine(ok, words.listed, request)));
  blocks.push(...failureBlocks);
  const plain =
    `${total > 0 ? `${capitalize(words.none)} ${count(ok.length)} of ${plural(total, 'target')} on ${ref.kind} ${ref.key} in ${ref.environmentKey}${failed.length ? `; ${count(failed.length)} failed` : ''}. ` : ''}${waiting.length ? `${plural(waiting.length, 'target')} wait for approval in LaunchDarkly. ` : ''}${warning ?? ''}`.trim();
  return { text: plain, blocks };
}

/**
 * LaunchDarkly takes the grant of `waiting` only through an approval request: where it is, and
 * that the expiry follows once it is applied.
 */
function ldApprovalLine(result: ChangeResult, waiting: TargetResult[]): string {
  const { request, ldApproval } = result;
  const ref = request.resource;
  const shown = codeList(waiting.map((r) => targetLabel(r.target)));
  const until = request.expiresAt !== undefined ? ` (until ${slackDate(request.expiresAt)})` : '';
  return `:lock: LaunchDarkly requires approval for changes to ${ref.kind} *${ref.key}* in *${ref.environmentKey}*: I asked for it in <${ldApproval!.url}|an approval request>. ${shown} will be added, and their expiry${until} set, once it is applied.`;
}

/** Approve / Decline on a LaunchDarkly approval request: sent as the clicker's own review. */
function ldReviewButtons(id: string): KnownBlock {
  return yesNoButtons(
    id,
    { actionId: ACTIONS.ldReviewApprove, text: 'Approve in LaunchDarkly' },
    { actionId: ACTIONS.ldReviewDecline, text: 'Decline' },
    BLOCKS.ldReviewActions,
  );
}

/** Failures grouped by reason, so 500 targets failing for one reason make one line, not 500. */
function failureSections(failed: TargetResult[], maxBlocks: number): KnownBlock[] {
  if (failed.length === 0) return [];
  const byMessage = groupBy(
    failed,
    (r) => r.message ?? 'failed',
    (r) => targetLabel(r.target),
  );
  const lines = [...byMessage].map(([message, keys]) => {
    const shown = keys
      .slice(0, 20)
      .map((k) => `\`${k}\``)
      .join(', ');
    const more = keys.length > 20 ? ` and ${count(keys.length - 20)} more` : '';
    return `• ${shown}${more}: ${escapeMrkdwn(message)}`;
  });
  return packLines(
    [`*Failed (${count(failed.length)}):*`, ...lines],
    Math.max(1, maxBlocks),
    (hidden) => `…and ${plural(hidden, 'other reason')}.`,
  );
}

/** Every target that succeeded, as many as fit one section, then how many more. */
function succeededLine(ok: TargetResult[], label: string, request: ChangeRequest): string {
  const start = `*${label}:* `;
  const room = LIMITS.sectionText - start.length - 40;
  const shown: string[] = [];
  let length = 0;
  for (const r of ok) {
    const item = describeTarget(r, request);
    if (length + item.length + 2 > room) break;
    shown.push(item);
    length += item.length + 2;
  }
  const more = ok.length - shown.length;
  return `${start}${shown.join(', ')}${more > 0 ? ` and ${count(more)} more` : ''}`;
}

function capitalize(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** Posted early and updated in place while a long change runs. */
export function progressMessage(request: ChangeRequest, done: number): Message {
  const { kind, key } = request.resource;
  const doing = `${VERBS[request.verb].words.doing} ${plural(request.targets.length, 'target')}`;
  const text = `:hourglass_flowing_sand: ${doing} on ${kind} *${key}*… ${count(done)} done`;
  return {
    text: `${doing} on ${kind} ${key}… ${count(done)} done`,
    blocks: [section(text)],
  };
}

/** The ephemeral ack: shown to the person at once while the work runs. */
export function workingMessage(verb: Verb, kind: string, key: string, targets: number): string {
  return `:hourglass_flowing_sand: ${VERBS[verb].words.doing} ${plural(targets, 'target')} on ${kind} ${key}…`;
}
