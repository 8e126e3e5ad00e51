/**
 * The soak: the compiled bot as `npm start` runs it, against the fakes' process, under mixed
 * traffic at a steady rate for BENCH_SOAK_MINUTES (default 20): commands that change, `/expire
 * list`, Home opens, clicks on the expiries those commands made (Cancel expiry, which changes,
 * and Extend, which opens its form) and `/expire` forms. Every 10 s it reads the bot's RSS
 * (/proc/<pid>/status) and its V8 heap and external memory (/metrics, as prom-client reports
 * them). Then the bot idles a minute, to see what it gives back.
 */
import Database from 'better-sqlite3';
import { ACTIONS, reminderActionOf } from '../src/slack/ids.js';
import { buttonClick, commandBody, homeOpened, interactionBody } from '../test/helpers/slack-requests.js';
import { signedPoster } from './load.js';
import { startFakes, startProcess } from './processes.js';
import { rssMiB } from './stats.js';

export interface SoakSample {
  /** Seconds since the traffic started. */
  s: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

const MiB = 2 ** 20;
const round = (n: number) => Math.round(n * 10) / 10;

/** A Prometheus gauge's value from /metrics text, in MiB. */
function gaugeMiB(text: string, name: string): number {
  const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1];
  return round(Number(value ?? Number.NaN) / MiB);
}

/** Least-squares slope of `y` against `x`, per unit of x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export async function soak(
  botEnv: (fakes: Awaited<ReturnType<typeof startFakes>>) => Record<string, string>,
  options: { minutes: number; perSecond: number },
) {
  const fakes = await startFakes();
  const control = (path: string): Promise<any> => fetch(`${fakes.control}${path}`).then((r) => r.json());
  const env = botEnv(fakes);
  const bot = await startProcess('dist/ld-expiry-bot.cjs', env);
  const databasePath = env.DATABASE_URL!.replace(/^sqlite:/, '');
  const client = signedPoster(bot.url, 8);
  const responseUrl = `${fakes.slackUrl}/response/soak`;
  const sample = async (s: number): Promise<SoakSample> => {
    const metrics = await fetch(`${bot.url}/metrics`).then((r) => r.text());
    return {
      s,
      rssMiB: await rssMiB(bot.pid),
      heapUsedMiB: gaugeMiB(metrics, 'nodejs_heap_size_used_bytes'),
      externalMiB: gaugeMiB(metrics, 'nodejs_external_memory_bytes'),
    };
  };

  /** An expiry one of the soak's commands made, with the message it was announced in. */
  let reader: Database.Database | undefined;
  const someExpiry = (n: number) => {
    reader ??= new Database(databasePath, { readonly: true, fileMustExist: true });
    return reader
      .prepare('SELECT id, expires_at, channel_id, message_ts FROM expiries ORDER BY id LIMIT 1 OFFSET ?')
      .get(n % 50) as { id: string; expires_at: number; channel_id: string; message_ts: string } | undefined;
  };
  let sent = 0;
  let clicked = 0;
  /** The mix, one kind after another: a change, a list, a Home open, a click, a form. */
  const kinds: Array<(n: number) => Promise<{ status: number | string }>> = [
    (n: number) =>
      client.post(
        commandBody({
          text: `flag new-checkout soak-${n % 200} in 2 weeks --grant --variation on`,
          response_url: responseUrl,
        }),
      ),
    () => client.post(commandBody({ text: 'list', response_url: responseUrl })),
    () => client.post(homeOpened('U1'), 'application/json'),
    async (n: number) => {
      const expiry = someExpiry(n);
      if (!expiry) return { status: 'no expiry yet' };
      const extend = clicked++ % 2 === 1;
      const payload = buttonClick({
        user: { id: 'U1', name: 'alice' },
        actionId: extend ? ACTIONS.reminderExtend : reminderActionOf('remove'),
        value: JSON.stringify({ id: expiry.id, at: expiry.expires_at }),
        channel: expiry.channel_id,
        messageTs: expiry.message_ts ?? '1.1',
        triggerId: extend ? (await control('/trigger')).trigger : `${n}.soak`,
        responseUrl,
      });
      return client.post(interactionBody(payload));
    },
    async () => {
      const trigger = (await control('/trigger')).trigger;
      return client.post(commandBody({ text: '', trigger_id: trigger, response_url: responseUrl }));
    },
  ];

  const statuses: Record<string, number> = {};
  const samples: SoakSample[] = [await sample(0)];
  const started = performance.now();
  const durationMs = options.minutes * 60_000;
  const inFlight = new Set<Promise<void>>();
  let nextSample = 10_000;
  while (performance.now() - started < durationMs) {
    const n = sent++;
    const request = kinds[n % kinds.length]!(Math.floor(n / kinds.length)).then(
      ({ status }: { status: number | string }) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
      },
      (error: Error) => {
        statuses[error.message] = (statuses[error.message] ?? 0) + 1;
      },
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    // Paced from the start, so a slow answer does not slow the rate down.
    const due = started + (sent * 1_000) / options.perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const elapsed = performance.now() - started;
    if (elapsed >= nextSample) {
      samples.push(await sample(Math.round(elapsed / 1_000)));
      nextSample += 10_000;
    }
  }
  await Promise.all(inFlight);
  // What the bot did with the traffic: the calls it made to the fakes.
  const fakesCounts = await control('/counts');
  client.close();
  reader?.close();
  // Idle: what the bot gives back once the traffic stops.
  await new Promise((r) => setTimeout(r, 60_000));
  const idle = await sample(Math.round((performance.now() - started) / 1_000));
  await bot.stop();
  await fakes.stop();

  const warm = samples.filter((p) => p.s >= 120);
  const atTwo = warm[0] ?? samples.at(-1)!;
  const last = samples.at(-1)!;
  const perMinute = (pick: (p: SoakSample) => number) => round(slope(warm.map((p) => [p.s / 60, pick(p)])));
  return {
    minutes: options.minutes,
    perSecond: options.perSecond,
    requests: sent,
    statuses,
    fakes: fakesCounts,
    rss: {
      startMiB: samples[0]!.rssMiB,
      atTwoMinutesMiB: atTwo.rssMiB,
      endMiB: last.rssMiB,
      peakAfterTwoMiB: Math.max(...warm.map((p) => p.rssMiB)),
      growthAfterTwoMiB: round(last.rssMiB - atTwo.rssMiB),
      slopeMiBPerMin: perMinute((p) => p.rssMiB),
      idleMiB: idle.rssMiB,
    },
    heap: {
      atTwoMinutesMiB: atTwo.heapUsedMiB,
      endMiB: last.heapUsedMiB,
      slopeMiBPerMin: perMinute((p) => p.heapUsedMiB),
      externalSlopeMiBPerMin: perMinute((p) => p.externalMiB),
    },
    samples: [...samples, idle],
  };
}
