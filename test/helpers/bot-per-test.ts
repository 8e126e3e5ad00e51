import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runWatchSync } from '../../src/passes/watch-sync.js';
import type { Db } from '../../src/store/database.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { type Bot, startBot } from './bot.js';
import { freshDatabase } from './databases.js';
import { FakeLaunchDarkly } from './fake-launchdarkly.js';
import { FakeSlack } from './fake-slack.js';
import { seed } from './ld-fixtures.js';
import { silent } from './silent-logger.js';

/** A person the fake Slack knows: `users.info` answers with their name and time zone. */
type SlackUser = Parameters<FakeSlack['users']['set']>[1];

/** Where every test's clock starts. */
export const T0 = Date.parse('2030-01-10T18:00:00Z');

/**
 * The fake Slack and fake LaunchDarkly, started once for the calling test file (or `describe`) and
 * stopped after it, with alice (U1, America/Los_Angeles) and bob (U2, Europe/Berlin) known to
 * Slack, and `users` (which may replace them) on top.
 */
export function fakesPerFile({ users = {} }: { users?: Record<string, SlackUser> } = {}): {
  slack: FakeSlack;
  ld: FakeLaunchDarkly;
} {
  const slack = new FakeSlack();
  const ld = new FakeLaunchDarkly();
  beforeAll(async () => {
    await Promise.all([slack.start(), ld.start()]);
    slack.users.set('U1', { tz: 'America/Los_Angeles', name: 'alice' });
    slack.users.set('U2', { tz: 'Europe/Berlin', name: 'bob' });
    for (const [id, user] of Object.entries(users)) slack.users.set(id, user);
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
  /** This test's database URL (for SQLite, `sqlite:` and the file a test may break from outside). */
  readonly databaseUrl: string;
  /**
   * The time the bot and the fake LaunchDarkly read (ms); a test moves it by assigning it. On the
   * wall clock (`clock: 'wall'`) it is `Date.now()` and cannot be moved.
   */
  clock: number;
  /** Stops the bot and starts a new one on the same database, as a redeploy does. */
  restart(): Promise<Bot>;
  /**
   * Starts this test's bot with `env` over the file's and `options` over the file's (with
   * `startEach: false`, each test's own bot; otherwise it replaces the running one).
   */
  start(env?: Record<string, string>, options?: BotOptions): Promise<Bot>;
}

/** What a file may pass on to `startBot`; the clock and the database are `botPerTest`'s. */
export type BotOptions = Omit<NonNullable<Parameters<typeof startBot>[3]>, 'now' | 'database'>;

export interface BotPerTestOptions {
  /** A new database URL for each test (`sqliteUrl`, or one of `DATABASES`). */
  databaseUrl: () => string;
  /** The bot's environment over `botEnv`'s. */
  env?: Record<string, string>;
  /** Passed on to `startBot` (`progressAfterMs`, `ldTimeoutMs`). */
  options?: BotOptions;
  /**
   * Where each test's clock starts (`T0` unless told), or `'wall'`: the bot and the fake
   * LaunchDarkly read the real time, for tests that reckon from `Date.now()`.
   */
  clock?: number | 'wall';
  /** `false`: no bot before each test; each test starts its own with `ctx.start(env, options)`. */
  startEach?: boolean;
}

/**
 * For each test in the calling file or `describe`: the clock at `T0`, the fakes reseeded
 * (`seed`) and reset, a fresh database from `databaseUrl`, and the real bot on it with `env`
 * (Slack then forgets the bot's own start-up calls, so a test sees only what it caused).
 * After each: the bot stopped, the database closed, and neither fake having seen a request that
 * breaks Slack's limits or LaunchDarkly's schemas.
 */
export function botPerTest(
  fakes: { slack: FakeSlack; ld: FakeLaunchDarkly },
  { databaseUrl, env = {}, options = {}, clock = T0, startEach = true }: BotPerTestOptions,
): BotPerTest {
  const { slack, ld } = fakes;
  let bot: Bot | undefined;
  let database: Db | undefined;
  let url: string | undefined;
  let pinned = clock === 'wall' ? 0 : clock;
  const start = async (more: Record<string, string> = {}, moreOptions: BotOptions = {}) => {
    await bot?.stop();
    bot = await startBot(
      slack,
      ld,
      { ...env, ...more },
      {
        ...options,
        ...moreOptions,
        now: clock === 'wall' ? undefined : () => new Date(pinned),
        database,
      },
    );
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
    get databaseUrl() {
      if (!url) throw new Error('no database outside a test');
      return url;
    },
    get clock() {
      return clock === 'wall' ? Date.now() : pinned;
    },
    set clock(ms: number) {
      if (clock === 'wall') throw new Error('this file runs on the wall clock');
      pinned = ms;
    },
    restart: () => start(),
    start,
  };

  beforeEach(async () => {
    ld.clear();
    seed(ld);
    if (clock !== 'wall') {
      pinned = clock;
      ld.now = () => pinned;
    }
    slack.reset();
    url = databaseUrl();
    database = await freshDatabase(url);
    if (startEach) {
      await start();
      slack.reset();
    }
  });
  afterEach(async () => {
    await bot?.stop();
    await database?.close();
    bot = undefined;
    database = undefined;
    url = undefined;
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
      ldApprovalStore: new LdApprovalStore(ctx.database.db),
      logger: silent,
      owner,
    },
  });
}
