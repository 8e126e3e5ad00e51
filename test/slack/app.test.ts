import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { SERVER_TIMEOUTS } from '../../src/http/server-timeouts.js';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { SafetyStore } from '../../src/store/safety-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { createWorker } from '../../src/work/worker.js';
import { botEnv } from '../helpers/bot.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { FAKE_APP_TOKEN } from '../helpers/fake-slack.js';
import { commandBody, postSigned, SIGNING_SECRET, slackSignature } from '../helpers/slack-requests.js';

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });

describe('signing', () => {
  it("computes Slack's documented known-answer signature", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('refuses a forged signature with 401 and calls nothing', async () => {
    const before = ld.requests.length;
    const res = await postSigned(ctx.bot.url, commandBody({ text: 'help' }), { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect(ld.requests.length).toBe(before);
  });

  it('refuses a replayed request older than five minutes', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await postSigned(ctx.bot.url, commandBody({ text: 'help' }), {
      timestamp: old,
      secret: SIGNING_SECRET,
    });
    expect(res.status).toBe(401);
  });
});

describe('/expire help', () => {
  it('answers at once, ephemerally, with the usage and the time forms', async () => {
    const res = await ctx.bot.command('help');
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.response_type).toBe('ephemeral');
    const text = body.blocks.map((b: any) => b.text?.text ?? '').join('\n');
    expect(text).toContain('/expire [add] flag <flag> <targets> <when> [options]');
    expect(text).toContain('/expire remove flag|segment <key> <targets> [options]');
    expect(text).toContain('--variation <name|value|index>');
    expect(text).toContain('next friday');
    expect(text).toContain('month/day');
  });
});

describe('health', () => {
  it('answers GET /healthz with 200', async () => {
    const res = await fetch(`${ctx.bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('Socket Mode', () => {
  it('connects with the app token instead of listening for signed requests', async () => {
    const config = loadConfig({
      ...botEnv(slack, ld, { SLACK_APP_TOKEN: FAKE_APP_TOKEN }),
      SLACK_SIGNING_SECRET: undefined,
    });
    const socketBot = createApp(config, {
      ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token }),
      store: ctx.bot.store,
      safetyStore: new SafetyStore(ctx.bot.database.db),
      approvalStore: new ApprovalStore(ctx.bot.database.db),
      ldApprovalStore: new LdApprovalStore(ctx.bot.database.db),
      logger: silentLogger(),
      now: () => new Date(),
      watches: new WatchStore(ctx.bot.database.db),
      mirror: new MirrorStore(ctx.bot.database.db),
      work: createWorker(config, ctx.bot.database, { logger: silentLogger(), owner: 'socket' }),
      metrics: createMetrics(),
      probeDatabase: ctx.bot.database.probeWrite,
    });
    // The server of its custom routes (health, metrics, the webhook) has the timeouts of HTTP mode's.
    const { httpServer } = (socketBot as unknown as { receiver: { httpServer: Server } }).receiver;
    expect(httpServer.headersTimeout).toBe(SERVER_TIMEOUTS.headersTimeout);
    expect(httpServer.requestTimeout).toBe(SERVER_TIMEOUTS.requestTimeout);
    expect(httpServer.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveTimeout);
    // The fake has no WebSocket server, so the client keeps retrying: watch for its first call.
    socketBot.start().catch(() => undefined);
    const call = await slack.waitFor(() => slack.callsTo('apps.connections.open')[0]);
    await socketBot.stop().catch(() => undefined);
    expect(call.response).toEqual({ ok: false, error: 'socket_mode_unavailable_in_fake' });
  });
});

function silentLogger() {
  return createLogger({ level: 'error', secrets: [], destination: { write: () => undefined } });
}
