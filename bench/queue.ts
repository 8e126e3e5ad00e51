/**
 * A long queue: 1,000 `/expire` commands in 10 s while LaunchDarkly takes 1 s to answer each call,
 * the bot in this process against the fakes. For every command, each word its person gets — the
 * ack, a response_url post, a message or an update in its channel — is timed; reported are the
 * time until the last result and the longest stretch anyone spent without a word (from sending the
 * command to the last word about it).
 */
import type { Db } from '../src/store/database.js';
import { startBot } from '../test/helpers/bot.js';
import type { FakeLaunchDarkly } from '../test/helpers/fake-launchdarkly.js';
import type { FakeSlack } from '../test/helpers/fake-slack.js';
import { PROJECT } from '../test/helpers/ld-fixtures.js';
import { percentiles, pool } from './stats.js';

export interface QueueResult {
  commands: number;
  sentOverMs: number;
  ldDelayMs: number;
  concurrency: number;
  /** From the first command sent to the last result. */
  lastResultMs: number;
  /** The longest stretch any person spent without a word, and the spread of each person's longest. */
  longestSilenceMs: number;
  silences: ReturnType<typeof percentiles>;
  /** Commands whose target LaunchDarkly holds once, as asked. */
  applied: number;
  words: { responseUrl: number; channel: number };
  /** Requests LaunchDarkly got for the whole flood (changes to one flag go together while one is in flight). */
  ldRequests: { reads: number; patches: number };
}

export interface QueueOptions {
  commands?: number;
  overMs?: number;
  ldDelayMs?: number;
  /** The bot's database (a temporary SQLite file when absent). */
  database?: Db;
  /** The flag every command changes: a new one for each run against the same fake. */
  flag?: string;
}

export async function queueFlood(
  slack: FakeSlack,
  ld: FakeLaunchDarkly,
  { commands = 1_000, overMs = 10_000, ldDelayMs = 1_000, database, flag = 'queue-flood' }: QueueOptions = {},
): Promise<QueueResult> {
  ld.addFlag(PROJECT, { key: flag });
  const bot = await startBot(slack, ld, { LOG_LEVEL: 'warn' }, { database });
  const callsBefore = slack.calls.length;
  const postsBefore = slack.responseUrlPosts.length;
  const ldBefore = ld.requests.length;
  ld.delayMs = ldDelayMs;
  const sent = new Map<string, number>();
  const acked = new Map<string, number>();
  const started = performance.now();
  // Evenly over `overMs`, each in a channel of its own so that its words can be told apart.
  await pool(commands, 100, async (i) => {
    const due = started + (i * overMs) / commands;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `Q${i}`;
    sent.set(id, performance.now());
    const res = await bot.command({
      text: `flag ${flag} user-${i} in 2 weeks --grant --variation true`,
      channel_id: id,
      trigger_id: `queue.${i}`,
      response_url: `${slack.url}/response/${id}`,
    });
    if (res.status !== 200) throw new Error(`command ${i} answered ${res.status}`);
    acked.set(id, performance.now());
  });
  await bot.work.idle();
  ld.delayMs = 0;

  const words = new Map<string, number[]>();
  const hear = (id: string, at: number) => words.set(id, [...(words.get(id) ?? []), at]);
  for (const [id, at] of acked) hear(id, at);
  const responseUrl = slack.responseUrlPosts.slice(postsBefore);
  for (const post of responseUrl) hear(post.id, post.receivedAt);
  const inChannel = slack.calls
    .slice(callsBefore)
    .filter((c) => /^chat\.(postMessage|update|postEphemeral)$/.test(c.method) && sent.has(c.args.channel));
  for (const call of inChannel) hear(call.args.channel, call.receivedAt);

  let lastResult = 0;
  const silences: number[] = [];
  for (const [id, at] of sent) {
    const heard = (words.get(id) ?? []).sort((a, b) => a - b);
    let longest = 0;
    let previous = at;
    for (const word of heard) {
      longest = Math.max(longest, word - previous);
      previous = word;
    }
    silences.push(longest);
    lastResult = Math.max(lastResult, previous);
  }
  const flood = ld.requests.slice(ldBefore);
  const ldRequests = {
    reads: flood.filter((r) => r.method === 'GET').length,
    patches: flood.filter((r) => r.method === 'PATCH').length,
  };
  const applied = ld.expiringTargets('flag', PROJECT, flag, 'production').length;
  await bot.stop();
  return {
    commands,
    sentOverMs: overMs,
    ldDelayMs,
    concurrency: bot.config.work.concurrency,
    lastResultMs: Math.round(lastResult - started),
    longestSilenceMs: Math.round(Math.max(...silences)),
    silences: percentiles(silences),
    applied,
    words: { responseUrl: responseUrl.length, channel: inChannel.length },
    ldRequests,
  };
}
