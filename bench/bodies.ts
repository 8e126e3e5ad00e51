import { commandBody } from '../test/helpers/slack-requests.js';
import { dripFeed, FORGED_HEADERS, floodBodies } from '../test/helpers/unsigned-clients.js';
import { signedPoster } from './load.js';
import { type FakesProcess, type Started, startFakes, startProcess } from './processes.js';
import { percentiles, rssMiB } from './stats.js';

/**
 * The unsigned routes under attack (issue 28), against the bot under tsx in its own process: what
 * 1,000 concurrent bodies cost it in memory (`bodies`), and whether signed commands are still
 * acked while drip-feeders hold connections open (`drip`).
 */

type Row = (what: string, value: string, target?: string) => void;
type EnvFor = (fakes: FakesProcess) => Record<string, string>;

const SLACK = '/slack/events';
const WEBHOOK = '/launchdarkly/webhook';
const WEBHOOK_SECRET = 'whsec-bench-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withBot<T>(envFor: EnvFor, run: (bot: Started, fakes: FakesProcess) => Promise<T>) {
  const fakes = await startFakes();
  const bot = await startProcess('src/main.ts', { ...envFor(fakes), LD_WEBHOOK_SECRET: WEBHOOK_SECRET });
  try {
    return await run(bot, fakes);
  } finally {
    await bot.stop();
    await fakes.stop();
  }
}

/** The bot's peak RSS over its idle RSS while `load` runs (sampled every 20 ms, and 1 s after). */
async function peakGrowth<T>(pid: number, load: () => Promise<T>) {
  await sleep(2_000);
  const idle = await rssMiB(pid);
  let peak = idle;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssMiB(pid));
      await sleep(20);
    }
  })();
  const started = performance.now();
  const outcome = await load();
  const ms = Math.round(performance.now() - started);
  await sleep(1_000);
  sampling = false;
  await sampler;
  const growthMiB = Math.round((peak - idle) * 10) / 10;
  return { idleMiB: idle, peakMiB: peak, afterMiB: await rssMiB(pid), growthMiB, ms, outcome };
}

/**
 * `bodies`: 1,000 concurrent 255 KiB bodies to each unsigned route, first with no signature (refused
 * from the headers) and then with a forged one (read under the shared budget, then refused).
 */
export async function benchBodies(envFor: EnvFor, row: Row) {
  return withBot(envFor, async (bot) => {
    // A fresh process's first thousand connections grow its heap once (and keep it): measured apart.
    const first = await peakGrowth(bot.pid, () =>
      floodBodies(bot.url, { path: SLACK, count: 1_000, bytes: 255 * 1024 }),
    );
    row(
      'the first 1,000 concurrent connections a fresh bot sees (unsigned bodies to /slack/events): RSS growth, kept',
      `${first.growthMiB} MiB (idle ${first.idleMiB}, 1 s later ${first.afterMiB} MiB)`,
    );
    const runs: Record<string, unknown> = { first };
    for (const [route, path, forged] of [
      ['Slack endpoint', SLACK, FORGED_HEADERS.slack],
      ['webhook', WEBHOOK, FORGED_HEADERS.webhook],
    ] as const) {
      const flood = (headers?: typeof forged) => () =>
        floodBodies(bot.url, { path, count: 1_000, bytes: 255 * 1024, headers });
      const unsigned = await peakGrowth(bot.pid, flood());
      const wrong = await peakGrowth(bot.pid, flood(forged));
      runs[route] = { unsigned, forged: wrong };
      row(
        `1,000 concurrent 255 KiB bodies to the ${route} (${path}): peak RSS growth, unsigned / forged signature`,
        `${unsigned.growthMiB} / ${wrong.growthMiB} MiB (idle ${unsigned.idleMiB} MiB; ${JSON.stringify(unsigned.outcome)} in ${unsigned.ms} ms / ${JSON.stringify(wrong.outcome)} in ${wrong.ms} ms)`,
        '< 50 MB',
      );
    }
    return runs;
  });
}

/**
 * `drip`: 16 connections with forged Slack headers, each declaring 1 MiB and sending 16 bytes every
 * 5 s (reconnecting when cut off), and meanwhile 100 signed `/expire` commands, one every 100 ms.
 */
export async function benchDrip(envFor: EnvFor, row: Row) {
  return withBot(envFor, async (bot, fakes) => {
    const drip = dripFeed(bot.url, {
      path: SLACK,
      headers: FORGED_HEADERS.slack,
      connections: 16,
      declared: 1024 * 1024,
      chunk: 16,
      everyMs: 5_000,
    });
    await sleep(1_000);
    const poster = signedPoster(bot.url, 8);
    await poster.connect();
    const acks: Array<{ status: number; ms: number }> = [];
    const sent: Array<Promise<unknown>> = [];
    for (let i = 0; i < 100; i++) {
      const text = i % 10 === 0 ? 'help' : `flag new-checkout drip-${i} in 2 weeks`;
      const body = commandBody({ text, response_url: `${fakes.slackUrl}/response/drip` });
      sent.push(poster.post(body).then((ack) => acks.push(ack)));
      await sleep(100);
    }
    await Promise.all(sent);
    // Long enough for every drip to have been cut off at least once.
    await sleep(4_000);
    const report = await drip.stop();
    poster.close();
    const times = percentiles(acks.map((a) => a.ms));
    const refused = acks.filter((a) => a.status !== 200).length;
    row(
      '16 drip connections (1 MiB declared, 16 bytes every 5 s) + 100 signed commands: ack',
      `max ${times.max} ms, p50 ${times.p50} ms, ${refused} not 200; drips: ${report.connections} connections, ${JSON.stringify(report.statuses)}, longest ${Math.round(report.longestMs)} ms`,
      'every ack < 3 s',
    );
    return { acks: times, refused, drip: report };
  });
}
