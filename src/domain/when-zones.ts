/**
 * Zone abbreviations the reader accepts after a time ("5pm PST", "17:00 CET", "9am ET"), and the
 * ones it refuses because they name more than one zone.
 */

export type ZoneAbbreviation =
  /** Always this offset: UTC, GMT, JST, MST (Arizona keeps it all year)…; `zone` keeps it too. */
  | { kind: 'fixed'; offset: number; zone: string }
  /** This offset, and only in the season the region uses it: PST in July is a mistake. */
  | { kind: 'seasonal'; offset: number; zone: string; generic: string }
  /** Whatever the region's clocks show that day: PT, ET, CT, MT. */
  | { kind: 'region'; zone: string };

const fixed = (offset: number, zone: string): ZoneAbbreviation => ({ kind: 'fixed', offset, zone });
const seasonal = (offset: number, zone: string, generic: string): ZoneAbbreviation => ({
  kind: 'seasonal',
  offset,
  zone,
  generic,
});
const region = (zone: string): ZoneAbbreviation => ({ kind: 'region', zone });

export const ZONE_ABBREVIATIONS: Record<string, ZoneAbbreviation> = {
  UTC: fixed(0, 'UTC'),
  GMT: fixed(0, 'UTC'),
  Z: fixed(0, 'UTC'),
  PST: seasonal(-480, 'America/Los_Angeles', 'PT'),
  PDT: seasonal(-420, 'America/Los_Angeles', 'PT'),
  PT: region('America/Los_Angeles'),
  MST: fixed(-420, 'America/Phoenix'),
  MDT: seasonal(-360, 'America/Denver', 'MT'),
  MT: region('America/Denver'),
  CDT: seasonal(-300, 'America/Chicago', 'CT'),
  CT: region('America/Chicago'),
  EST: seasonal(-300, 'America/New_York', 'ET'),
  EDT: seasonal(-240, 'America/New_York', 'ET'),
  ET: region('America/New_York'),
  AKST: seasonal(-540, 'America/Anchorage', 'AKT'),
  AKDT: seasonal(-480, 'America/Anchorage', 'AKT'),
  AKT: region('America/Anchorage'),
  HST: fixed(-600, 'Pacific/Honolulu'),
  WET: seasonal(0, 'Europe/Lisbon', 'WET/WEST'),
  WEST: seasonal(60, 'Europe/Lisbon', 'WET/WEST'),
  CET: seasonal(60, 'Europe/Berlin', 'Europe/Berlin'),
  CEST: seasonal(120, 'Europe/Berlin', 'Europe/Berlin'),
  EET: seasonal(120, 'Europe/Athens', 'Europe/Athens'),
  EEST: seasonal(180, 'Europe/Athens', 'Europe/Athens'),
  MSK: fixed(180, 'Europe/Moscow'),
  SGT: fixed(480, 'Asia/Singapore'),
  HKT: fixed(480, 'Asia/Hong_Kong'),
  JST: fixed(540, 'Asia/Tokyo'),
  KST: fixed(540, 'Asia/Seoul'),
  AWST: fixed(480, 'Australia/Perth'),
  ACST: fixed(570, 'Australia/Darwin'),
  ACDT: seasonal(630, 'Australia/Adelaide', 'Australia/Adelaide'),
  AEST: fixed(600, 'Australia/Brisbane'),
  AEDT: seasonal(660, 'Australia/Sydney', 'AET'),
  AET: region('Australia/Sydney'),
  NZST: seasonal(720, 'Pacific/Auckland', 'NZT'),
  NZDT: seasonal(780, 'Pacific/Auckland', 'NZT'),
  NZT: region('Pacific/Auckland'),
};

/**
 * Abbreviations used for several zones at once: the one the person lives in, if any (IST said in
 * Dublin is Irish), else the one most English speakers mean (`usual`: IST India, CST US Central,
 * BST British Summer Time); without a usual meaning, which one is a guess, refused.
 */
export const AMBIGUOUS_ZONES: Record<
  string,
  { meanings: string; byHome: Record<string, ZoneAbbreviation>; usual?: ZoneAbbreviation }
> = {
  IST: {
    meanings: 'India, Israel or Ireland',
    usual: fixed(330, 'Asia/Kolkata'),
    byHome: {
      'Asia/Kolkata': fixed(330, 'Asia/Kolkata'),
      'Asia/Calcutta': fixed(330, 'Asia/Kolkata'),
      'Asia/Jerusalem': seasonal(120, 'Asia/Jerusalem', 'Asia/Jerusalem'),
      'Asia/Tel_Aviv': seasonal(120, 'Asia/Jerusalem', 'Asia/Jerusalem'),
      'Europe/Dublin': seasonal(60, 'Europe/Dublin', 'Europe/Dublin'),
    },
  },
  CST: {
    meanings: 'US Central or China',
    usual: seasonal(-360, 'America/Chicago', 'CT'),
    byHome: {
      'America/Chicago': seasonal(-360, 'America/Chicago', 'CT'),
      'Asia/Shanghai': fixed(480, 'Asia/Shanghai'),
      'Asia/Chongqing': fixed(480, 'Asia/Shanghai'),
      'Asia/Taipei': fixed(480, 'Asia/Taipei'),
    },
  },
  BST: {
    meanings: 'British Summer or Bangladesh',
    usual: seasonal(60, 'Europe/London', 'UK time'),
    byHome: {
      'Europe/London': seasonal(60, 'Europe/London', 'Europe/London'),
      'Asia/Dhaka': fixed(360, 'Asia/Dhaka'),
    },
  },
  AST: {
    meanings: 'Atlantic or Arabia',
    byHome: {
      'America/Halifax': seasonal(-240, 'America/Halifax', 'America/Halifax'),
      'America/Puerto_Rico': fixed(-240, 'America/Puerto_Rico'),
      'Asia/Riyadh': fixed(180, 'Asia/Riyadh'),
    },
  },
  SST: {
    meanings: 'Samoa or Singapore',
    byHome: {
      'Pacific/Pago_Pago': fixed(-660, 'Pacific/Pago_Pago'),
      'Asia/Singapore': fixed(480, 'Asia/Singapore'),
    },
  },
  ECT: { meanings: 'Ecuador or Eastern Caribbean', byHome: {} },
  GST: { meanings: 'Gulf or South Georgia', byHome: { 'Asia/Dubai': fixed(240, 'Asia/Dubai') } },
};

/** Written in lower case these are words, not zones. */
export const UPPER_CASE_ONLY = new Set(['WET', 'WEST', 'ET', 'PT', 'CT', 'MT', 'AST', 'SST', 'Z']);

/** Regions people name instead of a zone: "5pm Pacific", "9am eastern time", "17:00 UK time". */
const REGIONS: Record<string, string> = {
  pacific: 'America/Los_Angeles',
  eastern: 'America/New_York',
  central: 'America/Chicago',
  mountain: 'America/Denver',
  uk: 'Europe/London',
  british: 'Europe/London',
  india: 'Asia/Kolkata',
  indian: 'Asia/Kolkata',
};

let cities: Map<string, string> | undefined;

/** The IANA zone a region or city name stands for ("pacific", "new york", "berlin"), if any. */
export function zoneNamed(name: string): string | undefined {
  const key = name.toLowerCase().replace(/\s+/g, ' ').trim();
  if (REGIONS[key]) return REGIONS[key];
  cities ??= new Map(
    Intl.supportedValuesOf('timeZone').map((zone) => [
      zone.split('/').at(-1)!.replace(/_/g, ' ').toLowerCase(),
      zone,
    ]),
  );
  return cities.get(key);
}
