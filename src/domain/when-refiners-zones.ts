import type { ParsingContext, ParsingResult, Refiner } from 'chrono-node';
import { wallClockToInstant } from './time-zone.js';
import { dayOf, formatDay } from './when-days.js';
import { Refusal, ZONE_TAG } from './when-parse-kit.js';
import {
  AMBIGUOUS_ZONES,
  UPPER_CASE_ONLY,
  ZONE_ABBREVIATIONS,
  type ZoneAbbreviation,
  zoneNamed,
} from './when-zones.js';

/**
 * The refiners that read a zone said after a time ("5pm PST", "9am eastern time"), by the rules in
 * when-zones.ts, and work its offset out on the reading's own day.
 */

const ZONE_AFTER = /^\s*,?\s*\(?([a-z]{1,4})\)?(?=\W|$)/i;
/** "5pm Pacific", "9am eastern time", "17:00 London time", "10am in New York time". */
const ZONE_NAMED_AFTER =
  /^\s*,?\s*(?:in\s+)?((?:[a-z]+\s+){0,2}?[a-z]+)\s+time(?=\W|$)|^\s*,?\s*(?:in\s+)?(pacific|eastern|central|mountain)(?=\W|$)/i;

/** A zone said after a time: where in the text, and what it stands for. */
interface SaidZone {
  at: number;
  name: string;
  zone: ZoneAbbreviation;
}

/**
 * Zones found in each parse. A zone is found on a time before chrono merges that time with its
 * day ("9am ET tomorrow"), so its offset is worked out again once the day is known.
 */
const zonesSaid = new WeakMap<ParsingContext, SaidZone[]>();

/** A zone abbreviation or name after a time, by the rules in when-zones.ts (replaces chrono's). */
export const zoneAbbreviation: Refiner = {
  refine(context, results) {
    const said: SaidZone[] = [];
    for (const result of results) {
      const after = context.text.slice(result.index + result.text.length);
      if (!result.start.isCertain('hour') || result.start.isCertain('timezoneOffset')) continue;
      const named = ZONE_NAMED_AFTER.exec(after);
      const namedZone = named ? zoneNamed(named[1] ?? named[2]!) : undefined;
      let found: { text: string; name: string; zone: ZoneAbbreviation } | undefined;
      if (named && namedZone)
        found = { text: named[0], name: namedZone, zone: { kind: 'region', zone: namedZone } };
      else {
        const match = ZONE_AFTER.exec(after);
        const written = match?.[1] ?? '';
        const abbr = written.toUpperCase();
        if (!match || (UPPER_CASE_ONLY.has(abbr) && written !== abbr)) continue;
        const ambiguous = AMBIGUOUS_ZONES[abbr];
        const home = ambiguous && (ambiguous.byHome[homeZone(context) ?? ''] ?? ambiguous.usual);
        if (ambiguous && !home) {
          throw new Refusal(
            `"${abbr}" is used for ${ambiguous.meanings}; name the zone instead, e.g. "5pm Asia/Kolkata".`,
          );
        }
        const known = home ?? ZONE_ABBREVIATIONS[abbr];
        if (!known) continue;
        found = { text: match[0], name: abbr, zone: known };
      }
      said.push({ at: result.index + result.text.length, name: found.name, zone: found.zone });
      result.text += found.text;
      // Provisional until zoneOnTheDay: the day may not be known yet, so no season is checked.
      const provisional =
        found.zone.kind === 'fixed' || found.zone.kind === 'seasonal' ? found.zone.offset : undefined;
      result.start.assign('timezoneOffset', provisional ?? zoneOffset(result, found.name, found.zone));
    }
    zonesSaid.set(context, said);
    return results;
  },
};

/** The person's own IANA zone, which parseWhen passes to chrono with its options. */
export interface ReaderOptions {
  homeZone?: string;
}

function homeZone(context: ParsingContext): string | undefined {
  return (context.option as ReaderOptions).homeZone;
}

/** The offsets of zones said, again, now that every reading has its day. */
export const zoneOnTheDay: Refiner = {
  refine(context, results) {
    const said = zonesSaid.get(context) ?? [];
    for (const result of results) {
      const zone = said.find((z) => z.at >= result.index && z.at < result.index + result.text.length);
      if (!zone) continue;
      result.start.assign('timezoneOffset', zoneOffset(result, zone.name, zone.zone));
      // The preview shows the time in the zone said, under the name said ("19:30 IST").
      const label = zone.zone.kind === 'region' ? '' : zone.name;
      result.start.addTag(`${ZONE_TAG}${zone.zone.zone}|${label}`);
    }
    return results;
  },
};

/** The offset a zone has at the reading's wall-clock time; refuses PST in July and the like. */
function zoneOffset(result: ParsingResult, name: string, zone: ZoneAbbreviation): number {
  if (zone.kind === 'fixed') return zone.offset;
  const regional = regionalOffset(result, zone.zone);
  if (zone.kind === 'seasonal' && regional !== zone.offset) {
    throw new Refusal(
      `${name} is not in use on ${formatDay(dayOf(result))} (${zone.zone} is on UTC${hours(regional)} then, not UTC${hours(zone.offset)}); say ${zone.generic} or name the zone.`,
    );
  }
  return regional;
}

/** The offset `zone` has at the reading's wall-clock time, daylight saving included. */
function regionalOffset(result: ParsingResult, zone: string): number {
  const wall = { ...dayOf(result), hour: result.start.get('hour')!, minute: result.start.get('minute')! };
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return Math.round((asUtc - wallClockToInstant(wall, zone)) / 60_000);
}

function hours(offset: number): string {
  const sign = offset < 0 ? '−' : '+';
  const abs = Math.abs(offset);
  return `${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
}
