import type { EnvironmentRef, MirrorCounts } from '../../domain/watch.js';
import { formatUtc, slackDate } from '../../domain/when-format.js';
import type { ScanProgress } from '../../services/scan.js';
import type { WatchStatus } from '../../services/watch.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { Message } from './result.js';
import { context, count, packLines, plural, section } from './text.js';

const where = (e: EnvironmentRef) => `*${e.environmentKey}* (project \`${e.projectKey}\`)`;

/** "214 expiring targets on 37 flags and 5 segments" */
export function countsText(c: MirrorCounts): string {
  return `${plural(c.targets, 'expiring target')} on ${plural(c.flags, 'flag')} and ${plural(c.segments, 'segment')}`;
}

const plain = (text: string): Message => ({ text, blocks: [section(text)] });

export const WATCH_MESSAGES = {
  starting: (e: EnvironmentRef) =>
    `:hourglass_flowing_sand: Looking at every expiring target in ${e.environmentKey} (project ${e.projectKey})…`,
  started: (e: EnvironmentRef, c: MirrorCounts, userId: string): Message => {
    const head = `:eyes: Following ${where(e)}: ${countsText(c)}.`;
    return {
      text: `Following ${e.environmentKey}: ${countsText(c)}.`,
      blocks: [
        section(head),
        context(
          `Started by <@${userId}>. Reminders for every expiry there come to this channel at each lead time; \`/expire list\` shows them, \`/expire unwatch --project ${e.projectKey} --env ${e.environmentKey}\` stops.`,
        ),
      ],
    };
  },
  already: (e: EnvironmentRef, c: MirrorCounts): Message =>
    plain(`This channel already follows ${where(e)}: ${countsText(c)}.`),
  progress: (e: EnvironmentRef, p: ScanProgress): Message =>
    plain(
      `:hourglass_flowing_sand: Scanning ${where(e)} for expiring targets… ${p.phase}: ${count(p.done)}${p.total !== undefined ? ` of ${count(p.total)}` : ''} looked at.`,
    ),
  scanStopped: (e: EnvironmentRef, why: string): Message =>
    plain(
      `:warning: This channel now follows ${where(e)}, but the first scan stopped: ${escapeMrkdwn(why)} It resumes on its own within a minute; \`/expire watching\` shows where it stands.`,
    ),
  refused: (why: string) => `:x: ${escapeMrkdwn(why)} Nothing was changed.`,
  stopped: (e: EnvironmentRef, userId: string): Message =>
    plain(
      `:no_bell: <@${userId}> stopped this channel following ${where(e)}. Reminders of expiries scheduled here through me still come in their threads.`,
    ),
  notWatching: (e: EnvironmentRef) =>
    `This channel does not follow ${e.environmentKey} (project ${e.projectKey}); \`/expire watching\` shows what it follows.`,
  none: 'This channel follows no environment. `/expire watch --env <environment>` follows every expiring target there.',
};

function state(s: WatchStatus, now: number): string {
  const scan = s.state?.scan;
  const sync = s.state?.sync;
  const parts: string[] = [];
  if (scan?.phase) parts.push(`full scan running (${scan.phase}, ${count(scan.offset)} looked at)`);
  else if (scan?.finishedAt !== undefined) parts.push(`last full scan ${slackDate(scan.finishedAt)}`);
  else parts.push('first scan pending');
  if (sync?.at !== undefined)
    parts.push(`audit log read ${Math.max(0, Math.round((now - sync.at) / 1000))} s ago`);
  return parts.join(' · ');
}

/** `/expire watching`. */
export function watchingMessage(statuses: WatchStatus[], now: number): Message {
  if (statuses.length === 0) return plain(WATCH_MESSAGES.none);
  const lines = statuses.map(
    (s) =>
      `• ${where(s.watch)}: ${countsText(s.counts)} · since ${slackDate(s.watch.createdAt)} (${formatUtc(s.watch.createdAt)}) by <@${s.watch.createdBy}> · ${state(s, now)}`,
  );
  return {
    text: `This channel follows ${plural(statuses.length, 'environment')}.`,
    blocks: [
      section(`*This channel follows ${plural(statuses.length, 'environment')}:*`),
      ...packLines(lines, 45, (hidden) => `…and ${count(hidden)} more.`),
    ],
  };
}
