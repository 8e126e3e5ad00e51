import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runWatchSync } from '../../src/passes/watch-sync.js';
import type { Db } from '../../src/store/database.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { type Bot, startBot } from './bot.js';
import { freshDatabase } from './databases.js';
import { FakeLaunchDarkly } from './fake-launchdarkly.js';
import { FakeSlack } from './fake-slack.js';
import { seed } from './ld-fixtures.js';
import { silent } from './silent-logger.js';

/** Where every test's clock starts. */
export const T0 = Date.parse('2030-01-10T18:00:00Z');

/**
 * The fake Slack and fake LaunchDarkly, started once for the calling test file and stopped after
 * it, with alice (U1, America/Los_Angeles) and bob (U2, Europe/Berlin) known to Slack.
 */
export function fakesPerFile(): { slack: FakeSlack; ld: FakeLaunchDarkly } {
  const slack = new FakeSlack();
  const ld = new FakeLaunchDarkly();
  beforeAll(async () => {
    await Promise.all([slack.start(), ld.start()]);
    slack.users.set('U1', { tz: 'America/Los_Angeles', name: 'alice' });
    slack.users.set('U2', { tz: 'Europe/Berlin', name: 'bob' });
  });
  afterAll(async () => {
    await Promise.all([slack.stop(), ld.stop()]);
  });
  return { slack, ld };
}

/** What `botPerTest` gives each test; read it inside the test, it changes from one test to the next. */
export interface BotPerTest {
  readonly bot: Bot;
  readonly database: Db;
  /** The time the bot and the fake LaunchDarkly read (ms); a test moves it by assigning it. */
  clock: number;
  /** Stops the bot and starts a new one on the same database, as a redeploy does. */
  restart(): Promise<Bot>;
}

/**
 * For each test in the calling file or `describe`: the clock at `T0`, the fakes reseeded
 * (`seed`) and reset, a fresh database from `databaseUrl`, and the real bot on it with `env`.
 * After each: the bot stopped, the database closed, and neither fake having seen a request that
 * breaks Slack's limits or LaunchDarkly's schemas.
 */
export function botPerTest(
  fakes: { slack: FakeSlack; ld: FakeLaunchDarkly },
  { databaseUrl, env = {} }: { databaseUrl: () => string; env?: Record<string, string> },
): BotPerTest {
  const { slack, ld } = fakes;
  let bot: Bot | undefined;
  let database: Db | undefined;
  const start = async () => {
    bot = await startBot(slack, ld, env, { now: () => new Date(context.clock), database });
    return bot;
  };
  const context: BotPerTest = {
    get bot() {
      if (!bot) throw new Error('no bot outside a test');
      return bot;
    },
    get database() {
      if (!database) throw new Error('no database outside a test');
      return database;
    },
    clock: T0,
    restart: async () => {
      await bot?.stop();
      return start();
    },
  };

  beforeEach(async () => {
    context.clock = T0;
    ld.clear();
    seed(ld);
    ld.now = () => context.clock;
    slack.reset();
    database = await freshDatabase(databaseUrl());
    await start();
  });
  afterEach(async () => {
    await bot?.stop();
    await database?.close();
    bot = undefined;
    database = undefined;
    expect(slack.violations).toEqual([]);
    expect(ld.schemaViolations).toEqual([]);
  });
  return context;
}

/** One audit-log sync of the watched environments, as main.ts runs it, on the test's database and clock. */
export function syncWatches(ctx: BotPerTest, ld: LaunchDarklyClient, owner = 'replica-1') {
  return runWatchSync({
    now: ctx.clock,
    deps: {
      ld,
      watches: new WatchStore(ctx.database.db),
      mirror: new MirrorStore(ctx.database.db),
      logger: silent,
      owner,
    },
  });
}
