import type { KnownBlock } from '@slack/types';
import { groupBy } from '../../domain/group-by.js';
import { targetLabel } from '../../domain/targets.js';
import { formatUtc, slackDate } from '../../domain/when-format.js';
import type { ChangeResult, ChangeVerb, TargetResult } from '../../services/change.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { context, count, LIMITS, packLines, plural, section } from './text.js';

const DONE: Record<ChangeVerb, string> = {
  add: 'scheduled',
  update: 'rescheduled',
  remove: 'cancelled the expiry of',
};
const NOTHING: Record<ChangeVerb, string> = { add: 'scheduled', update: 'rescheduled', remove: 'cancelled' };
const LIST_LABEL: Record<ChangeVerb, string> = {
  add: 'Scheduled',
  update: 'Rescheduled',
  remove: 'No longer expiring',
};
const DOING: Record<ChangeVerb, string> = { add: 'Scheduling', update: 'Rescheduling', remove: 'Cancelling' };

export interface Message {
  text: string;
  blocks: KnownBlock[];
}

function expiry(ms: number): string {
  return `${slackDate(ms)} (${formatUtc(ms)})`;
}

function describeTarget(r: TargetResult): string {
  const detail = [r.variation, r.targetType, r.granted ? 'granted' : undefined].filter(Boolean).join(', ');
  return `\`${targetLabel(r.target)}\`${detail ? ` (${escapeMrkdwn(detail)})` : ''}`;
}

/** The message posted in the channel once a change is done: who, what, where, when, and every failure. */
export function resultMessage(result: ChangeResult, askedBy: string): Message {
  const { request } = result;
  const ref = request.resource;
  const what = `${ref.kind} *${ref.key}*`;
  const where = context(
    `Project \`${ref.projectKey}\` · environment \`${ref.environmentKey}\` · asked by <@${askedBy}>`,
  );
  const verb = DONE[request.verb];
  const until =
    request.verb === 'remove' || request.expiresAt === undefined
      ? ''
      : ` to expire ${expiry(request.expiresAt)}`;

  if (result.error) {
    const text = `:x: Nothing ${verb} on ${what}: ${escapeMrkdwn(result.error)}`;
    return {
      text: escapeMrkdwn(`Nothing ${verb} on ${ref.kind} ${ref.key}: ${result.error}`),
      blocks: [section(text), where],
    };
  }
  const ok = result.results.filter((r) => r.ok);
  const failed = result.results.filter((r) => !r.ok);
  const total = result.results.length;
  const headline =
    failed.length === 0
      ? `:white_check_mark: <@${askedBy}> ${verb} ${plural(total, 'target')} on ${what}${until}.`
      : ok.length === 0
        ? `:x: Nothing ${NOTHING[request.verb]} on ${what}: ${plural(failed.length, 'target')} failed.`
        : `:warning: Partly done: <@${askedBy}> ${verb} ${count(ok.length)} of ${plural(total, 'target')} on ${what}${until}; ${count(failed.length)} failed.`;

  const blocks: KnownBlock[] = [section(headline), where];
  // Room for the failure groups first: they are what someone has to act on.
  const failureBlocks = failureSections(failed, LIMITS.messageBlocks - blocks.length - 2);
  if (ok.length > 0) blocks.push(section(succeededLine(ok, LIST_LABEL[request.verb])));
  blocks.push(...failureBlocks);
  const plain = `${capitalize(NOTHING[request.verb])} ${count(ok.length)} of ${plural(total, 'target')} on ${ref.kind} ${ref.key} in ${ref.environmentKey}${failed.length ? `; ${count(failed.length)} failed` : ''}.`;
  return { text: plain, blocks };
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
function succeededLine(ok: TargetResult[], label: string): string {
  const start = `*${label}:* `;
  const room = LIMITS.sectionText - start.length - 40;
  const shown: string[] = [];
  let length = 0;
  for (const r of ok) {
    const item = describeTarget(r);
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
export function progressMessage(
  verb: ChangeVerb,
  kind: string,
  key: string,
  done: number,
  total: number,
): Message {
  const text = `:hourglass_flowing_sand: ${DOING[verb]} ${plural(total, 'target')} on ${kind} *${key}*… ${count(done)} done`;
  return {
    text: `${DOING[verb]} ${plural(total, 'target')} on ${kind} ${key}… ${count(done)} done`,
    blocks: [section(text)],
  };
}

/** The ephemeral ack: shown to the person at once while the work runs. */
export function workingMessage(verb: ChangeVerb, kind: string, key: string, targets: number): string {
  return `:hourglass_flowing_sand: ${DOING[verb]} ${plural(targets, 'target')} on ${kind} ${key}…`;
}
