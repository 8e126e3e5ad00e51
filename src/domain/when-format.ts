import { DateTime } from 'luxon';
import { zoneAbbreviation } from './time-zone.js';

/** An instant as each audience reads it. */
export interface WhenDisplay {
  /** In the person's zone, or the one the text named: "Fri 27 Nov 2026, 17:00 PST". */
  local: string;
  /** From now: "in 5 days". */
  relative: string;
  /** "2026-11-28 01:00 UTC". */
  utc: string;
  /** A Slack date token: every reader sees their own local time; the fallback is UTC. */
  slack: string;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function formatRelative(ms: number, nowMs: number): string {
  const diff = ms - nowMs;
  const abs = Math.abs(diff);
  const say = (value: number, unit: Intl.RelativeTimeFormatUnit) =>
    relative.format(Math.sign(diff) * value, unit);
  if (abs < 45_000) return 'now';
  if (abs < 120 * MINUTE) return say(Math.max(1, Math.round(abs / MINUTE)), 'minute');
  if (abs < 48 * HOUR) return say(Math.round(abs / HOUR), 'hour');
  const days = Math.round(abs / DAY);
  if (days < 14 || (days < 56 && days % 7 !== 0)) return say(days, 'day');
  if (days < 56) return say(days / 7, 'week');
  if (abs < 730 * DAY) return say(Math.round(abs / (30.44 * DAY)), 'month');
  return say(Math.round(abs / (365.25 * DAY)), 'year');
}

export function formatUtc(ms: number): string {
  return `${DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat('yyyy-MM-dd HH:mm')} UTC`;
}

/** `<!date^…>`: Slack renders it in each reader's own time zone. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${formatUtc(ms)}>`;
}

/** In `timeZone`, named by `label` ("IST") when the person named it so, else by its usual abbreviation. */
export function formatLocal(ms: number, timeZone: string, label?: string): string {
  const local = DateTime.fromMillis(ms, { zone: timeZone }).setLocale('en-GB');
  return `${local.toFormat('ccc d LLL yyyy, HH:mm')} ${label || zoneAbbreviation(ms, timeZone)}`;
}

export function formatWhen(
  ms: number,
  options: { now: Date; timeZone: string; label?: string },
): WhenDisplay {
  return {
    local: formatLocal(ms, options.timeZone, options.label),
    relative: formatRelative(ms, options.now.getTime()),
    utc: formatUtc(ms),
    slack: slackDate(ms),
  };
}
