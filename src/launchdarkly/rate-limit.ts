/** Headers as axios hands them over: lower-case names, string values. */
export type Headers = Record<string, unknown>;

const DEFAULT_WAIT_MS = 1_000;

/**
 * How long to wait after a 429 before trying again: `Retry-After` (seconds, or an HTTP date) when
 * present, else until `X-Ratelimit-Reset` (epoch ms), guarding against a reset in the past or
 * absurdly far away, else one second. Jitter is only ever added, so we never come back early and
 * several replicas do not return in step.
 */
export function rateLimitWaitMs(headers: Headers, nowMs: number, random: () => number): number {
  const base = retryAfterMs(headers, nowMs) ?? resetWaitMs(headers, nowMs) ?? DEFAULT_WAIT_MS;
  return Math.ceil(base + random() * Math.min(1_000, 100 + base * 0.2));
}

export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const raw = header(headers, 'retry-after');
  if (raw === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1_000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function resetWaitMs(headers: Headers, nowMs: number): number | undefined {
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= nowMs) return undefined;
  // The window is 10 s; a reset further away than a minute is a clock problem, not a wait.
  return Math.min(reset - nowMs, 60_000);
}

/**
 * When LaunchDarkly says we are about to run out of requests in this window, the instant until
 * which to hold back the next request; undefined when there is room.
 */
export function holdBackUntil(headers: Headers, nowMs: number): number | undefined {
  const remaining = ['x-ratelimit-route-remaining', 'x-ratelimit-global-remaining']
    .map((name) => Number(header(headers, name)))
    .filter(Number.isFinite);
  if (remaining.length === 0 || Math.min(...remaining) > 1) return undefined;
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= nowMs || reset - nowMs > 60_000) return undefined;
  return reset;
}

/** Exponential back-off with full jitter for retries that are not rate limits (GET on 5xx, refused connections). */
export function backoffMs(attempt: number, random: () => number, baseMs = 250, capMs = 5_000): number {
  return Math.ceil(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined || value === null) return undefined;
  return String(Array.isArray(value) ? value[0] : value).trim();
}
