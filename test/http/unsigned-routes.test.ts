import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '../../src/webhook.js';
import { type BotPerTest, botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { dripFeed, FORGED_HEADERS, floodBodies } from '../helpers/unsigned-clients.js';

/**
 * Issue 28: nobody outside can make the bot deaf. The real app on a real port, attacked over real
 * sockets on its unsigned routes (Slack's endpoint and the LaunchDarkly webhook), answering signed
 * commands all the while.
 */

const fakes = fakesPerFile();
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { LD_WEBHOOK_SECRET: 'whsec-test-0123456789abcdef' },
  clock: 'wall',
});
const SLACK = '/slack/events';
const MiB = 1024 * 1024;

/** How many requests to `route` the bot counted as refused for `reason` (ld_expiry_bot_http_refusals_total). */
async function refused(bot: BotPerTest['bot'], route: string, reason: string): Promise<number> {
  const { values } = await bot.metrics.httpRefusals.get();
  return values.find((v) => v.labels.route === route && v.labels.reason === reason)?.value ?? 0;
}

/** The bot's log lines about refusals on `route`, parsed. */
const refusalLines = (bot: BotPerTest['bot'], route: string) =>
  bot.logs.map((l) => JSON.parse(l)).filter((l) => l.route === route && typeof l.refused === 'number');

/** Signed `/expire help` every `everyMs` until `stop()`: each one's status and time to its ack. */
function commandsMeanwhile(everyMs: number) {
  const acks: Array<{ status: number; ms: number }> = [];
  const sent: Array<Promise<unknown>> = [];
  const timer = setInterval(() => {
    sent.push(ctx.bot.command('help').then((r) => acks.push({ status: r.status, ms: r.ms })));
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(sent);
      return acks;
    },
  };
}

describe('a slowloris on the Slack endpoint', () => {
  it('16 connections declaring 1 MiB and dripping 16 bytes every 2 s are cut at the deadline and reconnect; every signed command meanwhile is acked at once', async () => {
    // And one connection that never finishes its headers: the server's headersTimeout closes it.
    const silent = connect(Number(new URL(ctx.bot.url).port), '127.0.0.1');
    const silentClosed = new Promise<{ ms: number; answer: string }>((resolve) => {
      const started = performance.now();
      let answer = '';
      silent.on('data', (d) => {
        answer += d.toString('latin1');
      });
      silent.on('error', () => undefined);
      silent.on('close', () => resolve({ ms: performance.now() - started, answer }));
    });
    silent.write(`POST ${SLACK} HTTP/1.1\r\nHost: bot\r\n`);

    const drip = dripFeed(ctx.bot.url, {
      path: SLACK,
      headers: FORGED_HEADERS.slack,
      connections: 16,
      declared: MiB,
      chunk: 16,
      everyMs: 2_000,
    });
    const commands = commandsMeanwhile(400);
    await new Promise((r) => setTimeout(r, 12_000));
    const acks = await commands.stop();
    const report = await drip.stop();

    expect(acks.length).toBeGreaterThanOrEqual(25);
    expect(acks.filter((a) => a.status !== 200)).toEqual([]);
    expect(Math.max(...acks.map((a) => a.ms))).toBeLessThan(3_000);
    // Each drip is cut at 5 s (408) and reconnects: 16 at a time, none held longer than the deadline.
    expect(report.statuses['408']).toBeGreaterThanOrEqual(16);
    expect(report.connections).toBeGreaterThanOrEqual(32);
    expect(report.longestMs).toBeLessThan(12_000);
    expect(await refused(ctx.bot, SLACK, 'too_slow')).toBeGreaterThanOrEqual(16);
    // Sampled: the first at once, then one line per 10 s with how many followed.
    const lines = refusalLines(ctx.bot, SLACK).filter((l) => l.reason === 'too_slow');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);

    const closed = await silentClosed;
    expect(closed.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closed.ms).toBeGreaterThan(9_000);
    expect(closed.ms).toBeLessThan(12_500);

    expect((await ctx.bot.command('help')).status).toBe(200);
  }, 30_000);
});

describe('concurrent bodies nobody signed', () => {
  it('300 forged 512 KiB bodies to the Slack endpoint and 300 forged 255 KiB ones to the webhook, at once: all refused, the budget holding, a few log lines; then the bot answers', async () => {
    const [slack, webhook] = await Promise.all([
      floodBodies(ctx.bot.url, { path: SLACK, count: 300, bytes: 512 * 1024, headers: FORGED_HEADERS.slack }),
      floodBodies(ctx.bot.url, {
        path: WEBHOOK_PATH,
        count: 300,
        bytes: 255 * 1024,
        headers: FORGED_HEADERS.webhook,
      }),
    ]);
    for (const outcomes of [slack, webhook]) {
      expect(Object.values(outcomes).reduce((a, b) => a + b)).toBe(300);
      // Refused after reading (a wrong signature), over the budget, or cut off while still sending.
      expect(Object.keys(outcomes).filter((o) => !['401', '503', 'ECONNRESET', 'EPIPE'].includes(o))).toEqual(
        [],
      );
    }
    const busy = (await refused(ctx.bot, SLACK, 'busy')) + (await refused(ctx.bot, WEBHOOK_PATH, 'busy'));
    const forged =
      (await refused(ctx.bot, SLACK, 'bad_signature')) +
      (await refused(ctx.bot, WEBHOOK_PATH, 'bad_signature'));
    // 600 bodies of 230 MiB cannot all be held under a 16 MiB budget: some were turned away as busy.
    expect(busy).toBeGreaterThan(0);
    expect(busy + forged).toBeGreaterThanOrEqual(550);
    // One line per route and reason at once (the rest are counted into the next window's line).
    const lines = [...refusalLines(ctx.bot, SLACK), ...refusalLines(ctx.bot, WEBHOOK_PATH)];
    expect(lines.length).toBeLessThanOrEqual(8);

    expect((await ctx.bot.command('help')).status).toBe(200);
    const metrics = await (await fetch(`${ctx.bot.url}/metrics`)).text();
    expect(metrics).toMatch(/ld_expiry_bot_http_refusals_total\{route="\/slack\/events",reason="busy"\} \d+/);
  }, 30_000);

  it('bodies with no signature at all are refused from their headers on both routes, none read', async () => {
    const [slack, webhook] = await Promise.all([
      floodBodies(ctx.bot.url, { path: SLACK, count: 200, bytes: MiB }),
      floodBodies(ctx.bot.url, { path: WEBHOOK_PATH, count: 200, bytes: 255 * 1024 }),
    ]);
    for (const outcomes of [slack, webhook])
      expect(Object.keys(outcomes).filter((o) => !['401', 'ECONNRESET', 'EPIPE'].includes(o))).toEqual([]);
    expect(await refused(ctx.bot, SLACK, 'unsigned')).toBeGreaterThan(0);
    expect(await refused(ctx.bot, WEBHOOK_PATH, 'unsigned')).toBeGreaterThan(0);
    expect(await refused(ctx.bot, SLACK, 'busy')).toBe(0);
    expect((await ctx.bot.command('help')).status).toBe(200);
  }, 30_000);

  it('a webhook body dripped past the deadline is answered 408', async () => {
    const drip = dripFeed(ctx.bot.url, {
      path: WEBHOOK_PATH,
      headers: FORGED_HEADERS.webhook,
      connections: 2,
      declared: 200 * 1024,
      chunk: 16,
      everyMs: 1_000,
    });
    await new Promise((r) => setTimeout(r, 6_000));
    const report = await drip.stop();
    expect(report.statuses['408']).toBeGreaterThanOrEqual(2);
    expect(await refused(ctx.bot, WEBHOOK_PATH, 'too_slow')).toBeGreaterThanOrEqual(2);
    expect((await ctx.bot.command('help')).status).toBe(200);
  }, 20_000);
});
