import { type Logger as SlackLogger, LogLevel as SlackLogLevel } from '@slack/bolt';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

const MASK = '[redacted]';

/** Replaces every occurrence of each secret in `text`. Secrets shorter than 6 characters are too
 * likely to match ordinary words and are not configured in practice. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/**
 * A JSON logger whose every line is scrubbed of the given secrets just before it is written, so
 * that nothing logged — error stacks, axios configs, payloads — can carry a token.
 */
export function createLogger(options: {
  level: LogLevel;
  secrets: readonly string[];
  destination?: { write(line: string): unknown };
}): Logger {
  const out = options.destination ?? process.stdout;
  const stream: DestinationStream = {
    write: (line: string) => out.write(redactSecrets(line, options.secrets)),
  };
  return pino(
    {
      level: options.level,
      base: undefined,
      // An error is logged by its own plain fields only: pg's errors carry their client (password,
      // backend secret key), axios' their config and request (Authorization header).
      serializers: { err: safeError },
      // Headers of any request or response object that reaches a log line.
      redact: {
        paths: [
          '*.headers.authorization',
          '*.headers.Authorization',
          '*.config.headers',
          // A linked person's LaunchDarkly tokens, by the names OAuth and this code give them.
          '*.access_token',
          '*.refresh_token',
          '*.accessToken',
          '*.refreshToken',
        ],
        censor: MASK,
      },
    },
    stream,
  );
}

/** Message, name, stack and the error's string, number and boolean fields; never an object it holds. */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  if (error.stack) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = safeError(error.cause);
  return out;
}

/** Bolt's logger interface over pino, so Bolt's own messages go through the same scrubbing. */
export function toBoltLogger(logger: Logger): SlackLogger {
  let level = SlackLogLevel.INFO;
  let child = logger.child({ component: 'bolt' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : safeStringify(m))).join(' ');
  return {
    // Bolt logs a few debug lines per request; with debug off, nothing is built.
    debug: (...msg) => child.isLevelEnabled('debug') && child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: (name) => {
      child = logger.child({ component: name });
    },
  };
}

function safeStringify(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
