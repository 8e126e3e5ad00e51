type Fetch = typeof globalThis.fetch;

/** One exchange with Slack's Web API; Slack answers in well under a second. */
export const SLACK_ATTEMPT_TIMEOUT_MS = 5_000;
/** The longest rate-limit wait absorbed here; a longer one reaches the caller as a rate-limited error. */
export const SLACK_MAX_WAIT_MS = 10_000;
/** 429s absorbed per call before the caller hears of it (as WebClient's own retries would). */
export const SLACK_MAX_RATE_LIMIT_RETRIES = 2;

/** A Slack call about to wait for its method's rate limit: for a message to the person, a metric. */
export interface SlackWait {
  method: string;
  ms: number;
}

export interface MethodLimitOptions {
  attemptTimeoutMs?: number;
  maxWaitMs?: number;
  onWait?: (wait: SlackWait) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Slack's rate limits, scoped the way Slack scopes them: per Web API method. A 429 on
 * chat.postMessage holds back chat.postMessage only — views.open still opens its form while the
 * trigger is alive. Under WebClient with `rejectRateLimitedCalls`, since WebClient's own handling
 * pauses its whole queue on any 429. A wait up to `maxWaitMs` is absorbed here (announced first);
 * a longer one answers the caller at once with a 429 (WebClient's WebAPIRateLimitedError), without
 * asking Slack again. Every exchange also gets its own deadline.
 */
export function withMethodLimits(fetch: Fetch, options: MethodLimitOptions = {}): Fetch {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? SLACK_ATTEMPT_TIMEOUT_MS;
  const maxWaitMs = options.maxWaitMs ?? SLACK_MAX_WAIT_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pausedUntil = new Map<string, number>();

  return async (input, init = {}) => {
    const method = methodOf(input);
    for (let limited = 0; ; limited++) {
      const waitMs = (pausedUntil.get(method) ?? 0) - now();
      if (waitMs > maxWaitMs) return rateLimited(waitMs);
      if (waitMs > 0) {
        options.onWait?.({ method, ms: waitMs });
        await sleep(waitMs);
      }
      const timeout = AbortSignal.timeout(attemptTimeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      const response = await fetch(input, { ...init, signal });
      if (response.status !== 429) return response;
      const retryAfterMs = Number(response.headers.get('retry-after')) * 1_000;
      if (!Number.isFinite(retryAfterMs)) return response;
      pausedUntil.set(method, Math.max(pausedUntil.get(method) ?? 0, now() + retryAfterMs));
      if (retryAfterMs > maxWaitMs || limited >= SLACK_MAX_RATE_LIMIT_RETRIES) return response;
      // Slack did nothing with a rate-limited call, so asking again after the wait is safe.
      await response.arrayBuffer().catch(() => undefined);
    }
  };
}

/** `chat.postMessage` for `https://slack.com/api/chat.postMessage`. */
function methodOf(input: Parameters<Fetch>[0]): string {
  const url = new URL(input instanceof Request ? input.url : input);
  return url.pathname.split('/').pop() || url.host;
}

function rateLimited(waitMs: number): Response {
  return new Response(JSON.stringify({ ok: false, error: 'ratelimited' }), {
    status: 429,
    headers: { 'Content-Type': 'application/json', 'Retry-After': String(Math.ceil(waitMs / 1_000)) },
  });
}
