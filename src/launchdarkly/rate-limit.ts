/** Headers as axios hands them over: lower-case names, string values. */
export type Headers = Record<string, unknown>;

const DEFAULT_WAIT_MS = 1_000;
/** Below this many requests left in a window, the rest are spread over what remains of it. */
const PACE_BELOW = 5;
/** LaunchDarkly's windows are 10 s; a reset further away than a minute is a clock problem, not a wait. */
const MAX_RESET_MS = 60_000;

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
  const reset = resetAt(headers, nowMs);
  return reset === undefined ? undefined : reset - nowMs;
}

function resetAt(headers: Headers, nowMs: number): number | undefined {
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= nowMs) return undefined;
  return Math.min(reset, nowMs + MAX_RESET_MS);
}

/**
 * Exponential back-off with "equal jitter" for retries that are not rate limits (5xx, refused or
 * dropped connections, time-outs): half of each step is certain, so a few retries reliably span an
 * outage of seconds, the other half is random so replicas spread out.
 */
export function backoffMs(attempt: number, random: () => number, baseMs = 250, capMs = 2_000): number {
  const step = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.ceil(step / 2 + random() * (step / 2));
}

interface Budget {
  /** No request before this instant (a 429's Retry-After, or an exhausted window). */
  pausedUntil: number;
  /** While the window runs low: requests are spaced this far apart until `spacedUntil`. */
  spacingMs: number;
  spacedUntil: number;
  nextSlot: number;
}

const freshBudget = (): Budget => ({ pausedUntil: 0, spacingMs: 0, spacedUntil: 0, nextSlot: 0 });

/**
 * LaunchDarkly's limits, scoped the way LaunchDarkly scopes them: one budget per route, and the
 * account-wide budget as a ceiling over all of them. A 429 or an exhausted window on one route
 * holds back only that route; only the global budget running out holds back everything.
 */
export class RateLimits {
  private readonly routes = new Map<string, Budget>();
  private readonly global = freshBudget();

  /** How long a request on `route` must wait before it may go; reserves its place in line. */
  reserve(route: string, nowMs: number): number {
    const budget = this.budget(route);
    let start = Math.max(nowMs, budget.pausedUntil, this.global.pausedUntil);
    for (const b of [budget, this.global]) {
      if (b.spacingMs > 0 && start < b.spacedUntil) {
        start = Math.max(start, b.nextSlot);
        b.nextSlot = start + b.spacingMs;
      }
    }
    return start - nowMs;
  }

  /** Learns from an answer's rate-limit headers. */
  observe(route: string, headers: Headers, nowMs: number): void {
    const reset = resetAt(headers, nowMs);
    if (reset === undefined) return;
    pace(this.budget(route), remaining(headers, 'x-ratelimit-route-remaining'), reset, nowMs);
    pace(this.global, remaining(headers, 'x-ratelimit-global-remaining'), reset, nowMs);
  }

  /**
   * A 429: holds back the route for `waitMs` — or everything, when it was the account's budget
   * that ran out. Returns the instant the route may be tried again.
   */
  limited(route: string, headers: Headers, waitMs: number, nowMs: number): number {
    const globalSpent = remaining(headers, 'x-ratelimit-global-remaining') === 0;
    const routeSpent = remaining(headers, 'x-ratelimit-route-remaining') === 0;
    const budget = globalSpent && !routeSpent ? this.global : this.budget(route);
    budget.pausedUntil = Math.max(budget.pausedUntil, nowMs + waitMs);
    return budget.pausedUntil;
  }

  private budget(route: string): Budget {
    let budget = this.routes.get(route);
    if (!budget) {
      budget = freshBudget();
      this.routes.set(route, budget);
    }
    return budget;
  }
}

function pace(budget: Budget, left: number | undefined, reset: number, nowMs: number): void {
  if (left === undefined) return;
  if (left <= 0) {
    budget.pausedUntil = Math.max(budget.pausedUntil, reset);
  } else if (left < PACE_BELOW) {
    // Spread what is left over the rest of the window instead of spending it at once and stopping.
    budget.spacingMs = Math.ceil((reset - nowMs) / left);
    budget.spacedUntil = reset;
  } else {
    budget.spacingMs = 0;
  }
}

function remaining(headers: Headers, name: string): number | undefined {
  const value = Number(header(headers, name) ?? Number.NaN);
  return Number.isFinite(value) ? value : undefined;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined || value === null) return undefined;
  return String(Array.isArray(value) ? value[0] : value).trim();
}
