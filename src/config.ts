import { z } from 'zod';
import { parseDuration } from './domain/duration.js';
import { OPEN_POLICY, type Policy, parsePolicy } from './domain/policy.js';
import { isValidTimeZone } from './domain/time-zone.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly slack: {
    readonly mode: 'http' | 'socket';
    readonly botToken: string;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string;
    readonly port: number;
  };
  readonly launchDarkly: {
    readonly accessToken: string;
    readonly baseUri: string;
    readonly project: string;
    readonly environment: string;
  };
  readonly databaseUrl: string;
  readonly defaultTimeZone: string;
  readonly reminders: {
    /** Longest first. */
    readonly leadTimesMs: readonly number[];
    readonly checkIntervalMs: number;
  };
  readonly work: {
    /** A replica that stops renewing a job's lease for this long is taken to be dead; another takes over. */
    readonly leaseMs: number;
    /** Requests not yet done beyond which new ones are refused with a clear message. */
    readonly maxOpen: number;
    /** Changes this replica works on at once. */
    readonly concurrency: number;
  };
  readonly logLevel: LogLevel;
  readonly watch: {
    /** How often watched environments read LaunchDarkly's audit log. */
    readonly syncIntervalMs: number;
    /** How often watched environments are scanned in full. */
    readonly fullScanIntervalMs: number;
    /** Enables POST /launchdarkly/webhook and verifies its signature. */
    readonly webhookSecret: string | undefined;
  };
  readonly safety: {
    /** Who may change which environment. */
    readonly policy: Policy;
    /** Whether CHANGE_POLICY was set (the open default otherwise). */
    readonly policyConfigured: boolean;
    /** Environment keys that always ask for confirmation, besides those LaunchDarkly marks critical. */
    readonly protectedEnvironments: readonly string[];
  };
  readonly approvals: {
    /** Who may approve changes in which environments; undefined: no environment needs approval. */
    readonly approvers: Policy | undefined;
    /** Distinct approvers a change needs. */
    readonly needed: number;
    /** How long a request waits for its approvers before it expires. */
    readonly timeoutMs: number;
  };
  /** Acting as the person (PRODUCT §15): linking Slack users to their LaunchDarkly members. */
  readonly linking: LinkingConfig;
}

/** Who changes go to LaunchDarkly as: the service token (`bot`) or the asker's linked member. */
const ACT_AS = ['bot', 'person'] as const;

export interface LinkingConfig {
  readonly actAs: (typeof ACT_AS)[number];
  /** The bot's LaunchDarkly OAuth client; undefined: no linking (`/expire link` says so). */
  readonly oauth:
    | {
        readonly clientId: string;
        readonly clientSecret: string;
        /** The bot's public base URL, without a trailing slash: the redirect is under it. */
        readonly publicUrl: string;
        /** Base64 of the 32-byte AES-256-GCM key that encrypts stored LaunchDarkly tokens. */
        readonly encryptionKey: string;
      }
    | undefined;
}

/** The variables linking needs, all or none (and all with LD_ACT_AS=person). */
const LINKING_VARIABLES = [
  'LD_OAUTH_CLIENT_ID',
  'LD_OAUTH_CLIENT_SECRET',
  'PUBLIC_URL',
  'TOKEN_ENCRYPTION_KEY',
] as const;

/** Every problem found in the environment, one line each, never quoting a value. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** LaunchDarkly project and environment keys: letters, digits, dots, dashes and underscores. */
const LD_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const required = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) });

const secret = (prefix: string, what: string) =>
  required(what).refine((v) => v.startsWith(prefix) && v.length > prefix.length && !/\s/.test(v), {
    error: `must be ${what} (starting with "${prefix}")`,
  });

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what})` });

/** The hosts plain http may reach: this machine (a local proxy, the tests' fakes), never a network. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether `url` names this machine (localhost, 127.0.0.1 or [::1]); false for anything unparsable. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * An https URL, or plain http to this machine only: what travels to it (tokens, the OAuth client
 * secret, an authorization code) must not cross a network in clear.
 */
const secureUrl = (what: string) =>
  // Not a URL at all is httpUrl's problem, named once.
  httpUrl(what).refine((v) => !/^http:/i.test(v) || isLoopbackUrl(v) || !URL.canParse(v), {
    error: 'must be https (plain http only for localhost, 127.0.0.1 or [::1])',
  });

/** Rules `project/environment=who,…` separated by `;` (CHANGE_POLICY's syntax, also APPROVERS'). */
const policyText = (example: string) =>
  z.string().transform((text, ctx) => {
    const parsed = parsePolicy(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: `${parsed.problem} (e.g. ${example})` });
      return z.NEVER;
    }
    return parsed.policy;
  });

const duration = (example: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration such as ${example} (units: s, m, h, d, w)`,
      });
      return z.NEVER;
    }
    return ms;
  });

const envSchema = z.object({
  SLACK_BOT_TOKEN: secret('xoxb-', 'a Slack bot token'),
  SLACK_SIGNING_SECRET: z.string().regex(/^\S+$/, 'must not contain spaces').optional(),
  SLACK_APP_TOKEN: secret('xapp-', 'a Slack app-level token').optional(),
  SLACK_API_URL: secureUrl('the Slack Web API base, e.g. https://slack.com/api/').default(
    'https://slack.com/api/',
  ),
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(3000),
  LD_ACCESS_TOKEN: required('a LaunchDarkly access token').regex(/^\S+$/, 'must not contain spaces'),
  // Carries the service token, and with linking the OAuth client secret and people's tokens.
  LD_BASE_URI: secureUrl('e.g. https://app.launchdarkly.com').default('https://app.launchdarkly.com'),
  LD_PROJECT: required('a project key').regex(LD_KEY, 'must be a LaunchDarkly project key'),
  LD_ENVIRONMENT: required('an environment key').regex(LD_KEY, 'must be a LaunchDarkly environment key'),
  DATABASE_URL: z
    .string()
    .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^postgres(ql)?:\/\//i.test(v), {
      error: 'must be postgres://…, sqlite:<path> or a file path',
    })
    .default('sqlite:./data/ld-expiry-bot.sqlite'),
  DEFAULT_TIME_ZONE: z
    .string()
    .refine(isValidTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin' })
    .default('UTC'),
  REMINDER_LEAD_TIMES: z
    .string()
    .default('24h,1h')
    .transform((text, ctx) => {
      const parts = text.split(',').map((p) => p.trim());
      const ms = parts.map(parseDuration);
      if (parts.length === 0 || ms.some((v) => v === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a comma-separated list of durations such as 24h,1h',
        });
        return z.NEVER;
      }
      return [...new Set(ms as number[])].sort((a, b) => b - a);
    }),
  REMINDER_CHECK_INTERVAL: duration('1m').default(60_000),
  WORK_LEASE: duration('30s').default(30_000),
  WORK_QUEUE_LIMIT: z.coerce
    .number({ error: 'must be a whole number such as 1000' })
    .int({ error: 'must be a whole number such as 1000' })
    .min(1, { error: 'must be at least 1' })
    .default(1_000),
  /*
   * Each change mostly waits on LaunchDarkly, whose client sends at most 32 requests at a time and
   * merges the changes to one flag asked while a request about it is in flight: many running
   * changes cost LaunchDarkly little, and the more run, the more go together. Bench `queue` (1,000
   * commands in 10 s on one flag, LaunchDarkly at 1 s a call): 8 at a time and one request per
   * call, last result after 392 s and people up to 362 s without a word; merged, 128 at a time,
   * 29.5 s and 9.5 s; 256, 23–27 s and 6–8 s.
   */
  WORK_CONCURRENCY: z.coerce
    .number({ error: 'must be a whole number such as 256' })
    .int({ error: 'must be a whole number such as 256' })
    .min(1, { error: 'must be at least 1' })
    .max(1_000, { error: 'must be at most 1000' })
    .default(256),
  WATCH_SYNC_INTERVAL: duration('1m').default(60_000),
  WATCH_FULL_SCAN_INTERVAL: duration('24h').default(86_400_000),
  LD_WEBHOOK_SECRET: z
    .string()
    .regex(/^\S+$/, 'must not contain spaces')
    .min(16, 'must be at least 16 characters (LaunchDarkly generates a long one when asked)')
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  CHANGE_POLICY: z.string().default(OPEN_POLICY).pipe(policyText('*/production=S0123ABC,U0456DEF;*/*=*')),
  PROTECTED_ENVIRONMENTS: z
    .string()
    .default('production')
    .refine((text) => text.split(',').every((k) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(k.trim())), {
      error: 'must be a comma-separated list of environment keys',
    })
    .transform((text) => text.split(',').map((k) => k.trim())),
  APPROVERS: policyText('*/production=S0123RELEASE,U0456DEF').optional(),
  APPROVALS_NEEDED: z.coerce
    .number({ error: 'must be a whole number from 1 to 5' })
    .int('must be a whole number from 1 to 5')
    .min(1, 'must be a whole number from 1 to 5')
    .max(5, 'must be a whole number from 1 to 5')
    .default(1),
  APPROVAL_TIMEOUT: duration('24h').default(86_400_000),
  LD_OAUTH_CLIENT_ID: z.string().regex(/^\S+$/, 'must not contain spaces').optional(),
  LD_OAUTH_CLIENT_SECRET: z.string().regex(/^\S+$/, 'must not contain spaces').optional(),
  // LaunchDarkly registers one https redirect; plain http would carry the code in clear.
  PUBLIC_URL: secureUrl("the bot's public base URL, e.g. https://expiry-bot.example.com")
    .refine((v) => !/[?#]/.test(v), { error: 'must have no query string or fragment' })
    .optional(),
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
      error: 'must be 32 random bytes in base64 (e.g. the output of `openssl rand -base64 32`)',
    })
    .optional(),
  LD_ACT_AS: z.enum(ACT_AS, { error: `must be one of ${ACT_AS.join(', ')}` }).default('bot'),
});

const VARIABLE_ORDER = Object.keys(envSchema.shape);

/** Reads the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable is the same as an unset one: `FOO=` in .env must not count as a value.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message }));
  // Checked beside zod rather than in a refinement, which zod skips while any field is invalid.
  if (!present.SLACK_APP_TOKEN && !present.SLACK_SIGNING_SECRET) {
    problems.push({
      variable: 'SLACK_SIGNING_SECRET',
      message: 'is required in HTTP mode (or set SLACK_APP_TOKEN to use Socket Mode)',
    });
  }
  if (parsed.success) {
    // A rule naming only people, fewer than the approvals needed, could never approve anything.
    const short = parsed.data.APPROVERS?.find(
      (r) =>
        !r.who.some((w) => w === '*' || w.startsWith('S')) && r.who.length < parsed.data.APPROVALS_NEEDED,
    );
    if (short)
      problems.push({
        variable: 'APPROVERS',
        message: `rule "${short.text}" names ${short.who.length} approver(s), fewer than APPROVALS_NEEDED (${parsed.data.APPROVALS_NEEDED}): its requests could never be approved`,
      });
  }
  problems.push(...linkingProblems(present));
  if (!parsed.success || problems.length > 0) {
    problems.sort((a, b) => VARIABLE_ORDER.indexOf(a.variable) - VARIABLE_ORDER.indexOf(b.variable));
    throw new ConfigError([...new Set(problems.map((p) => `${p.variable} ${p.message}`))]);
  }
  const e = parsed.data;
  return deepFreeze({
    slack: {
      mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      port: e.PORT,
    },
    launchDarkly: {
      accessToken: e.LD_ACCESS_TOKEN,
      baseUri: e.LD_BASE_URI.replace(/\/+$/, ''),
      project: e.LD_PROJECT,
      environment: e.LD_ENVIRONMENT,
    },
    databaseUrl: e.DATABASE_URL,
    defaultTimeZone: e.DEFAULT_TIME_ZONE,
    reminders: { leadTimesMs: e.REMINDER_LEAD_TIMES, checkIntervalMs: e.REMINDER_CHECK_INTERVAL },
    work: { leaseMs: e.WORK_LEASE, maxOpen: e.WORK_QUEUE_LIMIT, concurrency: e.WORK_CONCURRENCY },
    logLevel: e.LOG_LEVEL,
    watch: {
      syncIntervalMs: e.WATCH_SYNC_INTERVAL,
      fullScanIntervalMs: e.WATCH_FULL_SCAN_INTERVAL,
      webhookSecret: e.LD_WEBHOOK_SECRET,
    },
    safety: {
      policy: e.CHANGE_POLICY,
      policyConfigured: present.CHANGE_POLICY !== undefined,
      protectedEnvironments: e.PROTECTED_ENVIRONMENTS,
    },
    approvals: {
      approvers: e.APPROVERS,
      needed: e.APPROVALS_NEEDED,
      timeoutMs: e.APPROVAL_TIMEOUT,
    },
    linking: {
      actAs: e.LD_ACT_AS,
      oauth:
        e.LD_OAUTH_CLIENT_ID && e.LD_OAUTH_CLIENT_SECRET && e.PUBLIC_URL && e.TOKEN_ENCRYPTION_KEY
          ? {
              clientId: e.LD_OAUTH_CLIENT_ID,
              clientSecret: e.LD_OAUTH_CLIENT_SECRET,
              publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
              encryptionKey: e.TOKEN_ENCRYPTION_KEY,
            }
          : undefined,
    },
  });
}

/**
 * Linking takes its four variables together: LD_ACT_AS=person needs them all, and some without
 * the others is a half-done set-up, never a silent "no linking".
 */
function linkingProblems(present: Record<string, string | undefined>) {
  const missing = LINKING_VARIABLES.filter((v) => present[v] === undefined);
  if (missing.length === 0) return [];
  const person = present.LD_ACT_AS === 'person';
  if (!person && missing.length === LINKING_VARIABLES.length) return [];
  const given = LINKING_VARIABLES.filter((v) => present[v] !== undefined);
  const why = person
    ? "is required with LD_ACT_AS=person (changes are made as each person's linked LaunchDarkly member)"
    : `is required for linking LaunchDarkly accounts (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set)`;
  return missing.map((variable) => ({ variable, message: why }));
}

/** The values no log line, error or Slack message may contain. */
export function secretsOf(config: Config): string[] {
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.launchDarkly.accessToken,
    config.watch.webhookSecret,
    config.linking.oauth?.clientSecret,
    config.linking.oauth?.encryptionKey,
    databasePassword(config.databaseUrl),
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** The password a `postgres://user:password@host/db` URL carries, if any. */
function databasePassword(url: string): string | undefined {
  if (!/^postgres(ql)?:\/\//i.test(url)) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
