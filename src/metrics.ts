import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LdHttpOptions } from './launchdarkly/http.js';
import { routeKind } from './launchdarkly/routes.js';

/** What `GET /metrics` shows, each app with its own registry (tests build several side by side). */
export interface Metrics {
  registry: Registry;
  /** Changes asked for from Slack, by verb and outcome (ok, partial, failed). */
  changes: Counter<'verb' | 'outcome'>;
  ldRequests: Counter<'route' | 'method' | 'status'>;
  ldLatency: Histogram<'route' | 'method'>;
  /** Waits before a LaunchDarkly request: after a 429, or held back near the end of a window. */
  rateLimitWaits: Counter<'reason'>;
  rateLimitWaitSeconds: Counter<'reason'>;
  /** Reminders settled by the reminder pass, by outcome (posted, failed, gone, changed, superseded). */
  reminders: Counter<'outcome'>;
  /**
   * Requests turned away on an unsigned route (Slack's endpoint, the webhook) before any work, by
   * route and reason: unsigned, bad_signature, too_large, too_slow, busy (the body budget)…
   */
  httpRefusals: Counter<'route' | 'reason'>;
  /** Seconds since a watched environment was last read from LaunchDarkly's audit log. */
  syncLag: Gauge<'project' | 'environment'>;
  /** The worker whose jobs `queued work` reports: open in the table (all replicas), running here. */
  watchWork(work: { open: () => Promise<number>; running: () => number }): void;
}

const PREFIX = 'ld_expiry_bot_';

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let work = { open: async () => 0, running: () => 0 };
  new Gauge({
    name: `${PREFIX}work_open_jobs`,
    help: 'Work behind acks written down and not done yet (waiting or running), on every replica sharing the database',
    registers,
    async collect() {
      this.set(await work.open());
    },
  });
  new Gauge({
    name: `${PREFIX}work_running_jobs`,
    help: 'Jobs this replica is working on',
    registers,
    collect() {
      this.set(work.running());
    },
  });
  return {
    registry,
    changes: new Counter({
      name: `${PREFIX}changes_total`,
      help: 'Changes asked for from Slack, by verb and outcome',
      labelNames: ['verb', 'outcome'],
      registers,
    }),
    ldRequests: new Counter({
      name: `${PREFIX}launchdarkly_requests_total`,
      help: 'Requests to LaunchDarkly, by kind of route, method and status (network_error: no answer)',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    ldLatency: new Histogram({
      name: `${PREFIX}launchdarkly_request_duration_seconds`,
      help: 'Time to a LaunchDarkly answer, by kind of route and method',
      labelNames: ['route', 'method'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    rateLimitWaits: new Counter({
      name: `${PREFIX}launchdarkly_rate_limit_waits_total`,
      help: 'Waits before a LaunchDarkly request that LaunchDarkly asked for (a 429, or its window running out): rate_limit',
      labelNames: ['reason'],
      registers,
    }),
    rateLimitWaitSeconds: new Counter({
      name: `${PREFIX}launchdarkly_rate_limit_wait_seconds_total`,
      help: 'Time spent in those waits',
      labelNames: ['reason'],
      registers,
    }),
    reminders: new Counter({
      name: `${PREFIX}reminders_total`,
      help: 'Reminders settled by the reminder pass, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    httpRefusals: new Counter({
      name: `${PREFIX}http_refusals_total`,
      help: 'Requests refused on an unsigned route before any work, by route and reason (unsigned, bad_signature, too_large, too_slow, busy, …)',
      labelNames: ['route', 'reason'],
      registers,
    }),
    syncLag: new Gauge({
      name: `${PREFIX}watch_sync_lag_seconds`,
      help: "Seconds since a watched environment was last read from LaunchDarkly's audit log",
      labelNames: ['project', 'environment'],
      registers,
    }),
    watchWork(w) {
      work = w;
    },
  };
}

/** ok: every target done; partial: some; failed: none (or the whole request failed). */
export function changeOutcome(results: ReadonlyArray<{ ok: boolean }>): 'ok' | 'partial' | 'failed' {
  const ok = results.filter((r) => r.ok).length;
  if (ok === 0) return 'failed';
  return ok === results.length ? 'ok' : 'partial';
}

/** Feeds the LaunchDarkly transport's requests and rate-limit waits into `metrics`. */
export function launchDarklyObserver(metrics: Metrics): Pick<LdHttpOptions, 'onExchange' | 'onWait'> {
  return {
    onExchange({ method, route, status, ms }) {
      const kind = routeKind(route.slice(route.indexOf(' ') + 1));
      metrics.ldRequests.inc({
        route: kind,
        method,
        status: status === undefined ? 'network_error' : String(status),
      });
      if (status !== undefined) metrics.ldLatency.observe({ route: kind, method }, ms / 1_000);
    },
    onWait({ reason, ms }) {
      if (reason !== 'rate-limit') return;
      metrics.rateLimitWaits.inc({ reason: 'rate_limit' });
      metrics.rateLimitWaitSeconds.inc({ reason: 'rate_limit' }, ms / 1_000);
    },
  };
}
