import type { Logger } from './log.js';
import type { Check } from './preflight.js';
import { readOnlyReason } from './store/write-probe.js';

/** Each check's deadline: a probe must get its answer even when the database or Slack hangs. */
export const READY_CHECK_TIMEOUT_MS = 2_000;
/** How long Slack's last acceptance of the token counts: one `auth.test` a minute at most while ready. */
export const SLACK_OK_FOR_MS = 60_000;

export const DATABASE_NO_ANSWER = (ms: number) => `the database did not answer within ${ms / 1_000} s`;
export const DATABASE_FAILED = (what: string) => `the database query failed (${what})`;
export const SLACK_NO_ANSWER = (ms: number) => `Slack did not answer auth.test within ${ms / 1_000} s`;

export interface ReadinessReport {
  ready: boolean;
  /** `ok`, or why not. */
  database: string;
  slack: string;
}

/**
 * What `/readyz` answers: the database takes a write (write-probe.ts) and Slack accepts the bot token. Nothing is
 * remembered of a failure, so readiness comes back by itself once the cause is gone; a success of
 * Slack's is reused for a minute, so probes every few seconds do not become a stream of auth.test.
 */
export class Readiness {
  private slackOkUntil = 0;
  private slackCheck: Promise<string> | undefined;
  private lastReady = true;
  private readonly timeoutMs: number;

  constructor(
    private readonly deps: {
      /** A write the database must take: a read-only one answers every read. */
      probeDatabase: () => Promise<void>;
      checkSlack: () => Promise<Check<unknown>>;
      logger: Logger;
      now: () => number;
      timeoutMs?: number;
    },
  ) {
    this.timeoutMs = deps.timeoutMs ?? READY_CHECK_TIMEOUT_MS;
  }

  async check(): Promise<ReadinessReport> {
    const [database, slack] = await Promise.all([this.database(), this.slack()]);
    const report = { ready: database === 'ok' && slack === 'ok', database, slack };
    if (report.ready !== this.lastReady) {
      this.lastReady = report.ready;
      if (report.ready) this.deps.logger.info({ event: 'ready' }, 'ready again');
      else this.deps.logger.warn({ event: 'not_ready', database, slack }, 'not ready');
    }
    return report;
  }

  private async database(): Promise<string> {
    try {
      const answered = await within(
        this.deps.probeDatabase().then(() => true),
        this.timeoutMs,
      );
      return answered ? 'ok' : DATABASE_NO_ANSWER(this.timeoutMs);
    } catch (error) {
      // The reason is served on an open port: our words or a code, never the driver's sentence (it
      // may name hosts or users).
      this.deps.logger.warn({ err: error }, 'readiness: database query failed');
      const readOnly = readOnlyReason(error);
      if (readOnly) return readOnly;
      const e = error as { code?: unknown; name?: unknown };
      return DATABASE_FAILED(typeof e.code === 'string' ? e.code : String(e.name ?? 'error'));
    }
  }

  private slack(): Promise<string> {
    if (this.deps.now() < this.slackOkUntil) return Promise.resolve('ok');
    // Probes arriving together share one auth.test.
    this.slackCheck ??= within(this.deps.checkSlack(), this.timeoutMs)
      .then((check) => {
        if (!check) return SLACK_NO_ANSWER(this.timeoutMs);
        if (!check.ok) return check.problem;
        this.slackOkUntil = this.deps.now() + SLACK_OK_FOR_MS;
        return 'ok';
      })
      .finally(() => {
        this.slackCheck = undefined;
      });
    return this.slackCheck;
  }
}

/** The promise's value, or undefined once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
