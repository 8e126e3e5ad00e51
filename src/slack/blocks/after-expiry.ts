import type { KnownBlock } from '@slack/types';
import type { Expiry } from '../../domain/expiry.js';
import { targetLabel } from '../../domain/targets.js';
import type { ResourceRef } from '../../domain/vocabulary.js';
import { formatUtc } from '../../domain/when-format.js';
import { ACTIONS } from '../ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { LIMITS, section } from './text.js';

/** What a passed expiry's Remove now carries: the expiry itself, since the bot has forgotten it. */
export interface PassedRef {
  r: [ResourceRef['kind'], string, string, string];
  t: [string, string];
  tt?: 'included' | 'excluded';
  by: string;
  c: string;
  m?: string;
  /** A watched environment's expiry: a change made from it is the clicker's. */
  w?: 1;
}

/** Targets still there that get their own Remove now; the rest are named in one line. */
export const MAX_STILL_THERE_BUTTONS = 40;
const HOUR = 3_600_000;

/** `sandy`, `sandy and bob`, `sandy, bob and eve`; long lists end in "and N others". */
export function joinNames(labels: string[], maxChars = LIMITS.sectionText - 400): string {
  const shown: string[] = [];
  let length = 0;
  for (const label of labels) {
    const name = `\`${escapeMrkdwn(label)}\``;
    if (shown.length > 0 && length + name.length + 2 > maxChars) break;
    shown.push(name);
    length += name.length + 2;
  }
  const hidden = labels.length - shown.length;
  if (hidden > 0) return `${shown.join(', ')} and ${hidden.toLocaleString('en-US')} others`;
  if (shown.length === 1) return shown[0]!;
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** "at 5:00 PM" in each reader's zone; with the day too when it was not within the last hours. */
function at(ms: number, now: number): string {
  const format = now - ms < 12 * HOUR ? '{time}' : '{date_short_pretty} at {time}';
  return `<!date^${Math.floor(ms / 1000)}^${format}|${formatUtc(ms)}>`;
}

const where = (r: ResourceRef) => `*${escapeMrkdwn(r.key)}* (\`${escapeMrkdwn(r.environmentKey)}\`)`;

export const REMOVED_AS_SCHEDULED = (names: string, count: number, r: ResourceRef, when: string) =>
  `:white_check_mark: ${names} ${count === 1 ? 'was' : 'were'} removed from ${where(r)} at ${when} as scheduled.`;

export const STILL_THERE = (name: string, e: Pick<Expiry, 'resource' | 'targetType'>) =>
  e.resource.kind === 'flag'
    ? `:warning: ${name} is still individually targeted on ${where(e.resource)}.`
    : `:warning: ${name} is still ${e.targetType ?? 'included'} in segment ${where(e.resource)}.`;

export const MORE_STILL_THERE = (names: string, r: ResourceRef) =>
  `:warning: Also still there on ${where(r)}: ${names}.`;

export function passedRef(e: Expiry & { watched?: true }): PassedRef {
  const r = e.resource;
  return {
    r: [r.kind, r.projectKey, r.key, r.environmentKey],
    t: [e.target.contextKind, e.target.key],
    ...(e.targetType ? { tt: e.targetType } : {}),
    by: e.requestedBy,
    c: e.channelId,
    ...(e.messageTs ? { m: e.messageTs } : {}),
    ...(e.watched ? { w: 1 as const } : {}),
  };
}

/**
 * What happened at one instant on one flag or segment, for the thread where it was scheduled or a
 * channel watching its environment: who was removed as scheduled, and who is still there, each
 * with Remove now.
 */
export function afterExpiryMessage(
  group: {
    resource: ResourceRef;
    expiresAt: number;
    removed: Expiry[];
    stillThere: Array<Expiry & { watched?: true }>;
  },
  now: number,
): Message {
  const { resource, expiresAt, removed, stillThere } = group;
  const blocks: KnownBlock[] = [];
  const lines: string[] = [];
  if (removed.length > 0) {
    const text = REMOVED_AS_SCHEDULED(
      joinNames(removed.map((e) => targetLabel(e.target))),
      removed.length,
      resource,
      at(expiresAt, now),
    );
    blocks.push(section(text));
    lines.push(`${removed.length} removed from ${resource.key} (${resource.environmentKey}) as scheduled`);
  }
  for (const e of stillThere.slice(0, MAX_STILL_THERE_BUTTONS)) {
    const label = targetLabel(e.target);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: STILL_THERE(`\`${escapeMrkdwn(label)}\``, e) },
      accessory: {
        type: 'button',
        action_id: ACTIONS.passedRemoveNow,
        text: { type: 'plain_text', text: 'Remove now' },
        value: JSON.stringify(passedRef(e)),
        style: 'danger',
        confirm: {
          title: { type: 'plain_text', text: 'Remove now?' },
          text: {
            type: 'mrkdwn',
            text: `This takes ${escapeMrkdwn(label)} out of ${escapeMrkdwn(resource.key)} right away.`,
          },
          confirm: { type: 'plain_text', text: 'Remove now' },
          deny: { type: 'plain_text', text: 'Keep it' },
        },
      },
    });
  }
  const rest = stillThere.slice(MAX_STILL_THERE_BUTTONS);
  if (rest.length > 0)
    blocks.push(section(MORE_STILL_THERE(joinNames(rest.map((e) => targetLabel(e.target))), resource)));
  if (stillThere.length > 0) lines.push(`${stillThere.length} still there`);
  return { text: `${lines.join('; ')} (${formatUtc(expiresAt)}).`, blocks };
}
