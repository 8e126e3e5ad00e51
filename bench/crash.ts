/**
 * The crash loop: 500 commands sent while the real bot (a child process) is killed with SIGKILL
 * at random moments and started again on the same SQLite file, at least five times. Afterwards
 * (the last start has drained its work) every acknowledged command is checked against the fakes:
 * lost when a target never got scheduled or the command never got a result; doubled when a target
 * was patched twice or a result posted twice.
 *
 * A command whose POST fails or is not acked while the bot is down is "refused at the ack", counted
 * apart and sent again with the same trigger_id until acked. Slack would not resend a slash command
 * (the person would type it again, with a new trigger); the same trigger keeps the count honest:
 * a command the bot wrote down but was killed before acking is recognised, not done twice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/store/database.js';
import { ExpiryStore } from '../src/store/expiry-store.js';
import { JobStore } from '../src/store/job-store.js';
import { botEnv } from '../test/helpers/bot.js';
import { type BotProcess, startBotProcess } from '../test/helpers/bot-process.js';
import { FakeLaunchDarkly, type RecordedRequest } from '../test/helpers/fake-launchdarkly.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';

export interface CrashLoopResult {
  commands: number;
  targets: number;
  kills: number;
  /** Commands whose POST failed or was not acked at least once (the bot was down or dying). */
  refusedAtAck: number;
  /** Such POSTs in all: each refused command was sent again, same trigger, until acked. */
  refusedPosts: number;
  acknowledged: number;
  /** Acknowledged commands with a target never scheduled or no result in their channel. */
  lost: number;
  lostCommands: string[];
  /**
   * Of those, the ones whose person was asked to confirm instead: LaunchDarkly did not say within
   * 1.5 s whether the environment is critical (a freshly started bot on a loaded machine), and the
   * bot treats it as protected. Not lost work, but not the result either.
   */
  askedToConfirm: number;
  /** Targets whose expiry LaunchDarkly applied more than once. */
  doubledTargets: number;
  /** Commands whose channel got more than one message (a second result, or a progress left behind). */
  doubledResults: number;
  /** Those channels' messages, for the first few: what was doubled. */
  doubledDetail: Array<{ channel: string; messages: string[] }>;
  /** Targets where the bot's store and LaunchDarkly disagree. */
  storeMismatches: number;
  /** From the first command sent to the last start drained. */
  ms: number;
  seed: number;
  /** Where each start's log was written. */
  logs: string;
}

const PROJECT = 'default';
const ENV = 'production';
const FLAG = 'crash-loop';

/** A small seeded generator: "random" moments that a rerun repeats. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Command i's targets: one to three users, and every 100th a large change (150 users, 50 contexts). */
function targetsOf(i: number): string[] {
  if (i % 100 === 50) {
    return [
      ...Array.from({ length: 150 }, (_, j) => `big-${i}-u${j}`),
      ...Array.from({ length: 50 }, (_, j) => `organization:big-${i}-o${j}`),
    ];
  }
  return Array.from({ length: 1 + (i % 3) }, (_, j) => `cl-${i}-${j}`);
}

export async function crashLoop(options: { commands?: number; killTimes?: number; seed?: number } = {}) {
  const commands = options.commands ?? 500;
  const killTimes = options.killTimes ?? 5;
  const seed = options.seed ?? 13;
  const random = mulberry32(seed);

  const slack = await new FakeSlack().start();
  const ld = await new FakeLaunchDarkly({ checkSchemas: false }).start();
  slack.users.set('U1', { tz: 'Europe/Berlin', name: 'alice' });
  const all = Array.from({ length: commands }, (_, i) => targetsOf(i));
  const labels = all.flat();
  ld.addProject(PROJECT, [ENV]).addFlag(PROJECT, {
    key: FLAG,
    targets: {
      [ENV]: [
        { variation: 0, values: labels.filter((l) => !l.includes(':')) },
        {
          variation: 0,
          values: labels.filter((l) => l.includes(':')).map((l) => l.split(':')[1]!),
          contextKind: 'organization',
        },
      ],
    },
  });
  // A little latency everywhere, PATCHes slower: kills land in the middle of work, not between.
  ld.delayOf = (r) => (r.method === 'PATCH' ? 150 : 10);

  const dir = mkdtempSync(join(tmpdir(), 'ld-expiry-crash-'));
  const databaseUrl = `sqlite:${join(dir, 'bot.sqlite')}`;
  const starts: BotProcess[] = [];
  const env = botEnv(slack, ld, {
    DATABASE_URL: databaseUrl,
    WORK_LEASE: '2s',
    LOG_LEVEL: 'info',
    REMINDER_CHECK_INTERVAL: '1h',
  });
  let bot: BotProcess = await startBotProcess(env);
  starts.push(bot);
  let kills = 0;
  let refusedPosts = 0;
  const refused = new Set<number>();
  const acked = new Set<number>();
  const responseUrls: string[] = [];
  const started = performance.now();

  const send = async (i: number) => {
    const trigger = `crash-loop.${i}`;
    const responseUrl = slack.responseUrl();
    responseUrls[i] = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
    for (;;) {
      // While the bot is down this is its last address: the connection is refused.
      const ok = await bot
        .command(`flag ${FLAG} ${all[i]!.join(',')} in 2 weeks`, {
          channel_id: `CL${i}`,
          trigger_id: trigger,
          response_url: responseUrl,
        })
        .then(
          (res) => res.status === 200 && String(res.json().text).includes('Scheduling'),
          () => false,
        );
      if (ok) {
        acked.add(i);
        return;
      }
      refusedPosts++;
      refused.add(i);
      await sleep(500);
    }
  };

  // Commands go out at a steady pace (ten a second) while the killer runs.
  const sending = (async () => {
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < commands; i++) {
      inFlight.push(send(i));
      await sleep(100);
    }
    await Promise.all(inFlight);
  })();

  // The killer: up for 1–4 s, then SIGKILL and a new start on the same file, `killTimes` times
  // while the commands go out; the last start stays up and drains.
  while (kills < killTimes) {
    await sleep(1_000 + random() * 3_000);
    bot.kill('SIGKILL');
    await bot.exited;
    kills++;
    bot = await startBotProcess(env);
    starts.push(bot);
  }
  await sending;

  // Drain: nothing open in the jobs table, then a quiet second for the last messages.
  const db = await connect(databaseUrl);
  const jobs = new JobStore(db.db, db.dialect);
  while ((await jobs.open()) > 0) await sleep(200);
  for (let quiet = 0, last = ''; quiet < 5; ) {
    await sleep(200);
    const now = `${ld.requests.length}/${slack.calls.length}`;
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  const ms = Math.round(performance.now() - started);
  bot.kill('SIGTERM');
  await bot.exited;

  // What LaunchDarkly holds, how often each target's expiry was applied, and what the bot stored.
  const label = (e: { contextKind: string; contextKey: string }) =>
    e.contextKind === 'user' ? e.contextKey : `${e.contextKind}:${e.contextKey}`;
  const held = new Map(
    ld.expiringTargets('flag', PROJECT, FLAG, ENV).map((e) => [label(e), e.expirationDate]),
  );
  const applied = new Map<string, number>();
  for (const r of ld.requests.filter((q: RecordedRequest) => q.method === 'PATCH' && q.status === 200)) {
    const errors = (r.response as { errors?: Array<{ instructionIndex: number }> })?.errors ?? [];
    const refused = new Set(errors.map((e) => e.instructionIndex - ld.instructionIndexBase));
    (r.body.instructions as any[]).forEach((ins, i) => {
      if (refused.has(i)) return;
      const key =
        ins.userKey ?? (ins.contextKind === 'user' ? ins.contextKey : `${ins.contextKind}:${ins.contextKey}`);
      applied.set(key, (applied.get(key) ?? 0) + 1);
    });
  }
  const stored = new Map(
    (await new ExpiryStore(db.db).upcoming(0, { limit: 100_000, offset: 0 })).items.map((e) => [
      e.target.contextKind === 'user' ? e.target.key : `${e.target.contextKind}:${e.target.key}`,
      e.expiresAt,
    ]),
  );
  await db.close();

  const lostCommands: string[] = [];
  let askedToConfirm = 0;
  let doubledResults = 0;
  const doubledDetail: CrashLoopResult['doubledDetail'] = [];
  for (const i of acked) {
    const result = new RegExp(`^Scheduled ${all[i]!.length} of ${all[i]!.length} targets? on flag ${FLAG}`);
    const messages = slack.messages.filter((m) => m.channel === `CL${i}` && !m.ephemeral);
    const scheduled = all[i]!.every((t) => held.has(t));
    if (!scheduled || !messages.some((m) => result.test(m.text ?? ''))) {
      lostCommands.push(`CL${i}`);
      const told = slack.responseUrlPosts.filter((p) => p.id === responseUrls[i]);
      if (told.some((p) => /confirm/i.test(String(p.body.text)))) askedToConfirm++;
    }
    if (messages.length > 1) {
      doubledResults++;
      if (doubledDetail.length < 10)
        doubledDetail.push({ channel: `CL${i}`, messages: messages.map((m) => `${m.ts} ${m.text}`) });
    }
  }
  const storeMismatches = labels.filter((t) => held.get(t) !== stored.get(t)).length;
  await Promise.all([slack.stop(), ld.stop()]);
  for (const [n, b] of starts.entries()) writeFileSync(join(dir, `bot-${n + 1}.log`), b.output());
  return {
    commands,
    targets: labels.length,
    kills,
    refusedAtAck: refused.size,
    refusedPosts,
    acknowledged: acked.size,
    lost: lostCommands.length + (commands - acked.size),
    lostCommands,
    askedToConfirm,
    doubledTargets: [...applied.values()].filter((n) => n > 1).length,
    doubledResults,
    doubledDetail,
    storeMismatches,
    ms,
    seed,
    logs: dir,
  } satisfies CrashLoopResult;
}
