/** Intl formatters are costly to build (hundreds of µs); zones are few, so keep them. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function zoneNameFormatter(locale: string, zone: string): Intl.DateTimeFormat | null {
  const key = `${locale}\u0000${zone}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    } catch {
      formatter = null;
    }
    if (formatters.size < 10_000) formatters.set(key, formatter);
  }
  return formatter;
}

/** True when `zone` is an IANA time zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  return zoneNameFormatter('en-US', zone) !== null;
}

/** A wall-clock time: what a clock on the wall in some zone shows. Months are 1–12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter giving every wall-clock field of a zone, built once per zone. */
function wallFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = wallFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (wallFormatters.size < 10_000) wallFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock in `zone` at an instant. */
export function wallClockAt(ms: number, zone: string): Required<WallClock> {
  const wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of wallFormatter(zone).formatToParts(ms)) {
    if (part.type in wall) wall[part.type as keyof typeof wall] = Number(part.value);
  }
  return wall;
}

/**
 * Offsets already worked out, by zone and minute: formatToParts costs microseconds and reading one
 * time asks for half a dozen offsets. Offsets change only on whole minutes, so this is exact.
 */
const offsets = new Map<string, number>();

/** The zone's offset from UTC in minutes at an instant. */
export function offsetAt(ms: number, zone: string): number {
  const key = `${zone}\u0000${Math.floor(ms / 60_000)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const w = wallClockAt(ms, zone);
    const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    offset = Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
    if (offsets.size >= 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * The instant a wall-clock time in `zone` stands for, by the rules people expect: a time skipped
 * by a daylight-saving change moves forward by the gap (02:30 → 03:30), and a time that happens
 * twice takes the first occurrence. (Luxon alone takes the second; chrono alone uses one fixed
 * offset.) Overflowing fields roll over as in Date.UTC.
 */
export function wallClockToInstant(wall: WallClock, zone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  const MIN = 60_000;
  const DAY = 86_400_000;
  // A day either side is sure to straddle any change near this wall-clock time.
  const offsets = new Set([asUtc - DAY, asUtc, asUtc + DAY].map((t) => offsetAt(t, zone)));
  const valid = [...offsets]
    .map((offset) => asUtc - offset * MIN)
    .filter((instant) => {
      const w = wallClockAt(instant, zone);
      return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0) === asUtc;
    })
    .sort((a, b) => a - b);
  if (valid.length > 0) return valid[0]!;
  // In a gap: read the wall clock with the offset in force before the change (clocks go
  // forward, so the smaller one), which lands as far past the gap as the time was into it.
  return asUtc - Math.min(...offsets) * MIN;
}

/** A short name for the zone at an instant: PST, CET, UTC, else GMT+5:30. */
export function zoneAbbreviation(ms: number, zone: string): string {
  let fallback = '';
  for (const locale of ['en-US', 'en-GB']) {
    const name = zoneNameFormatter(locale, zone)
      ?.formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (name && !/^GMT[+-]/.test(name)) return name;
    fallback ||= name ?? '';
  }
  return fallback || zone;
}
