import type { ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import type { Logger } from '../log.js';

/** A refused request: its status, a reason short enough for a metric label, and words for the log. */
export interface Refusal {
  status: number;
  reason: string;
  /** What the log says beyond the reason (a size, which check failed). */
  why?: string;
  /** `debug` for what the internet sends all day (no signature); `warn` for what an operator should see. */
  level?: 'debug' | 'info' | 'warn';
}

/** At most one log line per route and reason in this long; the rest are counted into the next. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;

interface Window {
  count: number;
  last: Record<string, unknown>;
  level: NonNullable<Refusal['level']>;
}

/**
 * Answers refused requests, counts each in `/metrics` by route and reason, and logs them sampled:
 * the first of a route and reason at once, then one line per window with how many followed. A
 * flood of a thousand bodies is a thousand in the counter and two lines in the log, not a thousand.
 */
export class Refusals {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;

  constructor(
    private readonly options: {
      counter: Counter<'route' | 'reason'>;
      logger: Logger;
      windowMs?: number;
    },
  ) {
    this.windowMs = options.windowMs ?? REFUSAL_LOG_WINDOW_MS;
  }

  /**
   * Answers `res` with the refusal (a small JSON body; `Connection: close`, so Node drops the
   * socket, and whatever of the body is still on its way, once the answer is out).
   */
  refuse(
    res: ServerResponse,
    route: string,
    refusal: Refusal,
    page?: { headers: Record<string, string>; body: string },
  ): void {
    this.options.counter.inc({ route, reason: refusal.reason });
    this.note(route, refusal);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(refusal.status, {
      // A route a browser opens (the OAuth callback) answers with a page of its own, and its headers.
      ...(page?.headers ?? { 'Content-Type': 'application/json' }),
      Connection: 'close',
      ...(refusal.status === 503 ? { 'Retry-After': '1' } : {}),
    });
    res.end(page?.body ?? JSON.stringify({ error: refusal.reason }));
  }

  /** Logs, sampled, something turned away without an error answer (it is not counted as refused). */
  note(route: string, refusal: Refusal): void {
    const key = `${route} ${refusal.reason}`;
    const fields = { route, reason: refusal.reason, status: refusal.status, why: refusal.why };
    const level = refusal.level ?? 'warn';
    const open = this.windows.get(key);
    if (open) {
      open.count++;
      open.last = fields;
      return;
    }
    this.options.logger[level]({ ...fields, refused: 1 }, `refused a request to ${route}`);
    this.open(key, fields, level);
  }

  private open(key: string, last: Record<string, unknown>, level: Window['level']): void {
    this.windows.set(key, { count: 0, last, level });
    setTimeout(() => this.close(key), this.windowMs).unref();
  }

  /** The window's line, if anything came after its first; then a new window, so a flood stays sampled. */
  private close(key: string): void {
    const window = this.windows.get(key)!;
    this.windows.delete(key);
    if (window.count === 0) return;
    this.options.logger[window.level](
      { ...window.last, refused: window.count, seconds: this.windowMs / 1_000 },
      `refused ${window.count} more requests to ${String(window.last.route)}`,
    );
    this.open(key, window.last, window.level);
  }
}
