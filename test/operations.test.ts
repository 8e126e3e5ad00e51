import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { LaunchDarklyClient } from '../src/launchdarkly/client.js';
import { createLogger } from '../src/log.js';
import { createMetrics } from '../src/metrics.js';
import { SLACK_REJECTED, SLACK_UNREACHABLE } from '../src/preflight.js';
import { SLACK_OK_FOR_MS } from '../src/readiness.js';
import { ApprovalStore } from '../src/store/approval-store.js';
import { LdApprovalStore } from '../src/store/ld-approval-store.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { SafetyStore } from '../src/store/safety-store.js';
import { WatchStore } from '../src/store/watch-store.js';
import { createWorker } from '../src/work/worker.js';
import { startBot } from './helpers/bot.js';
import { botPerTest, fakesPerFile } from './helpers/bot-per-test.js';
import { sqliteUrl } from './helpers/databases.js';
import { commandBody, postSigned } from './helpers/slack-requests.js';

const fakes = fakesPerFile();
const { slack, ld } = fakes;
/** Readiness reuses a Slack success for a while: a new bot per test starts without one, and a test moves `ctx.clock` past it. */
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });

async function readyz() {
  const res = await fetch(`${ctx.bot.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('/healthz and /readyz', () => {
  it('/healthz says alive; /readyz says ready when the database answers and Slack accepts the token', async () => {
    const health = await fetch(`${ctx.bot.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, database: 'ok', slack: 'ok' } });
    expect(slack.callsTo('auth.test')).toHaveLength(1);
  });

  it('is not ready while Slack is unreachable, and ready again once Slack is back', async () => {
    slack.outage = 'drop';
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      ready: false,
      database: 'ok',
      slack: expect.stringContaining(SLACK_UNREACHABLE(slack.apiUrl, '').slice(0, -4)),
    });
    expect((await fetch(`${ctx.bot.url}/healthz`)).status).toBe(200); // alive all the same

    slack.outage = undefined;
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, database: 'ok', slack: 'ok' } });
    expect(ctx.bot.logs.join('')).toContain('"event":"not_ready"');
    expect(ctx.bot.logs.join('')).toContain('ready again');
  });

  it('a token Slack stops accepting makes it not ready within a minute, and a command still works once it is back', async () => {
    expect((await readyz()).status).toBe(200);
    slack.outage = 'token_revoked';
    // Within the minute a success is reused: no auth.test per probe.
    expect((await readyz()).status).toBe(200);
    ctx.clock += SLACK_OK_FOR_MS + 1;
    expect(await readyz()).toEqual({
      status: 503,
      body: { ready: false, database: 'ok', slack: SLACK_REJECTED('token_revoked') },
    });

    slack.outage = undefined;
    expect((await readyz()).status).toBe(200);
    // Never deaf: Bolt was told who the bot is, so nothing it cached from the outage drops requests.
    const res = await ctx.bot.command('help');
    expect(res.status).toBe(200);
    expect(res.json().response_type).toBe('ephemeral');
  });

  it('an app built during a Slack outage answers requests once Slack is back (never deaf)', async () => {
    // An answer, not a dropped connection: Slack's client does not retry it, so Bolt's own
    // auth.test would fail for good at once.
    slack.outage = 'service_unavailable';
    // What main.ts hands over from its own auth.test at start; Bolt then never calls auth.test itself
    // (without it, Bolt's one auth.test would fail here and every later request would be dropped).
    const logger = createLogger({ level: 'error', secrets: [], destination: { write: () => undefined } });
    const app = createApp(ctx.bot.config, {
      ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token }),
      store: ctx.bot.store,
      safetyStore: new SafetyStore(ctx.bot.database.db),
      approvalStore: new ApprovalStore(ctx.bot.database.db),
      ldApprovalStore: new LdApprovalStore(ctx.bot.database.db),
      watches: new WatchStore(ctx.bot.database.db),
      mirror: new MirrorStore(ctx.bot.database.db),
      logger,
      work: createWorker(ctx.bot.config, ctx.bot.database, { logger, owner: 'never-deaf' }),
      now: () => new Date(),
      metrics: createMetrics(),
      probeDatabase: ctx.bot.database.probeWrite,
      slackBot: { botId: 'BBOT', botUserId: 'UBOT' },
    });
    const server = (await app.start(0)) as Server;
    try {
      await new Promise((r) => setTimeout(r, 100));
      slack.outage = undefined;
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await postSigned(url, commandBody({ text: 'help' }));
      expect(res.status).toBe(200);
      expect(res.json().response_type).toBe('ephemeral');
    } finally {
      await app.stop();
    }
  });

  it('is not ready when the database does not answer', async () => {
    const other = await startBot(slack, ld);
    await other.database.close();
    const res = await fetch(`${other.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; slack: string; database: string };
    expect(body.ready).toBe(false);
    expect(body.slack).toBe('ok');
    expect(body.database).toMatch(/^the database query failed \(.+\)$/);
    await other.app.stop();
  });
});

/** The value of one sample in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function metrics(): Promise<string> {
  const res = await fetch(`${ctx.bot.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

async function expire(text: string) {
  const res = await postSigned(ctx.bot.url, commandBody({ text, response_url: slack.responseUrl() }));
  expect(res.status).toBe(200);
}

function resultIn(channel = 'C1') {
  return slack.waitFor(() => slack.messages.find((m) => m.channel === channel && !m.ephemeral));
}

describe('/metrics', () => {
  it("counts changes by verb and outcome and LaunchDarkly's requests by route, status and latency", async () => {
    const before = await metrics();
    const count = (text: string, name: string, labels: Record<string, string>) =>
      sample(text, name, labels) ?? 0;
    const changes = (text: string, verb: string, outcome: string) =>
      count(text, 'ld_expiry_bot_changes_total', { verb, outcome });
    const patches = (text: string) =>
      count(text, 'ld_expiry_bot_launchdarkly_requests_total', {
        route: 'flag-expiring-user-targets',
        method: 'PATCH',
        status: '200',
      });

    await expire('flag new-checkout sandy in 2 weeks');
    await resultIn();
    slack.reset();
    await expire('flag no-such-flag sandy in 2 weeks');
    await resultIn();
    await ctx.bot.work.idle();

    const after = await metrics();
    expect(changes(after, 'add', 'ok') - changes(before, 'add', 'ok')).toBe(1);
    expect(changes(after, 'add', 'failed') - changes(before, 'add', 'failed')).toBe(1);
    expect(patches(after) - patches(before)).toBe(1);
    expect(
      count(after, 'ld_expiry_bot_launchdarkly_requests_total', {
        route: 'flag',
        method: 'GET',
        status: '404',
      }),
    ).toBeGreaterThan(0);
    expect(
      count(after, 'ld_expiry_bot_launchdarkly_request_duration_seconds_count', {
        route: 'flag-expiring-user-targets',
        method: 'PATCH',
      }),
    ).toBe(patches(after));
    // Node's default process metrics, the queue, and the gauge watching will fill.
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'ld_expiry_bot_work_open_jobs')).toBe(0);
    expect(sample(after, 'ld_expiry_bot_work_running_jobs')).toBe(0);
    expect(after).toContain('# TYPE ld_expiry_bot_watch_sync_lag_seconds gauge');
  });

  it('shows the work queued behind acks while LaunchDarkly is slow', async () => {
    ld.delayMs = 1_000;
    await expire('flag new-checkout sandy in 2 weeks');
    // Written down before the ack; taken by the worker a moment later, then held while LaunchDarkly answers.
    expect(sample(await metrics(), 'ld_expiry_bot_work_open_jobs')).toBe(1);
    let running: number | undefined;
    for (let tries = 0; tries < 50 && running !== 1; tries++) {
      running = sample(await metrics(), 'ld_expiry_bot_work_running_jobs');
      if (running !== 1) await new Promise((r) => setTimeout(r, 10));
    }
    expect(running).toBe(1);
    ld.delayMs = 0;
    await resultIn();
    await ctx.bot.work.idle();
    expect(sample(await metrics(), 'ld_expiry_bot_work_open_jobs')).toBe(0);
  });

  it('counts rate-limit waits and network failures', async () => {
    const before = await metrics();
    ld.fail({
      status: 429,
      headers: { 'Retry-After': '0' },
      match: (r) => r.method === 'PATCH',
    });
    // One read dropped unanswered: retried, and counted as a request without an answer.
    ld.fail({ status: 0, destroy: true, match: (r) => r.method === 'GET' });
    await expire('flag new-checkout bob in 2 weeks');
    expect((await resultIn()).text).toMatch(/scheduled 1 of 1 target/i);
    const after = await metrics();
    const waits = (text: string) =>
      sample(text, 'ld_expiry_bot_launchdarkly_rate_limit_waits_total', { reason: 'rate_limit' }) ?? 0;
    expect(waits(after) - waits(before)).toBe(1);
    expect(
      sample(after, 'ld_expiry_bot_launchdarkly_requests_total', {
        route: 'flag-expiring-user-targets',
        status: '429',
      }),
    ).toBeGreaterThan(0);
    const dropped = (text: string) =>
      sample(text, 'ld_expiry_bot_launchdarkly_requests_total', { status: 'network_error' }) ?? 0;
    expect(dropped(after) - dropped(before)).toBe(1);
  });
});
