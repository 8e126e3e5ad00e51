import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import type { Logger } from '../log.js';
import { ApprovalStore } from '../store/approval-store.js';
import type { Db } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { WatchedPassedStore } from '../store/watched-passed-store.js';
import { every } from '../work/scheduler.js';
import { runAfterExpiryPass } from './after-expiry.js';
import { runApprovalDeadlines } from './approval-deadlines.js';
import { runFullScanPass } from './full-scan.js';
import { runLdApprovalPass } from './ld-approvals.js';
import { runReminderPass } from './reminders.js';
import { runWatchReminderPass } from './watch-reminders.js';
import { runWatchSync } from './watch-sync.js';
import { runWatchedAfterExpiryPass } from './watched-after-expiry.js';

/** What every timed pass may work with; each takes what it needs. */
export interface PassContext
  extends Pick<
    Deps,
    'ld' | 'store' | 'safetyStore' | 'ldApprovalStore' | 'watches' | 'mirror' | 'metrics' | 'work'
  > {
  config: Config;
  slack: WebClient;
  /** The pass's own logger (`component` is its name). */
  logger: Logger;
  /** The database, for a pass's own store (`new XStore(ctx.database.db)`). */
  database: Db;
  /** This replica's name in claims and leases. */
  owner: string;
  /** The clock, in Unix ms. */
  now: () => number;
  /** True once the process is stopping: long passes pause and the next start resumes them. */
  stopping: () => boolean;
}

/** One timed pass: its name (in logs), how often it runs, and the pass. */
export interface TimedPass {
  name: string;
  everyMs: (config: Config) => number;
  run: (ctx: PassContext) => Promise<unknown>;
}

const DAY = 86_400_000;

/** Every timed pass the process runs, started and stopped together by `startPasses`. */
export const TIMED_PASSES: readonly TimedPass[] = [
  {
    // The bot's own reminders (in their threads) first, then those of watched environments.
    name: 'reminders',
    everyMs: (config) => config.reminders.checkIntervalMs,
    run: async (ctx) => {
      const deps = { ...ctx, leadTimesMs: ctx.config.reminders.leadTimesMs };
      await runReminderPass({ now: ctx.now(), deps });
      await runWatchReminderPass({ now: ctx.now(), deps });
    },
  },
  {
    name: 'watch-sync',
    everyMs: (config) => config.watch.syncIntervalMs,
    run: (ctx) =>
      runWatchSync({
        now: ctx.now(),
        deps: {
          ...ctx,
          lag: (e, seconds) =>
            ctx.metrics.syncLag.set({ project: e.projectKey, environment: e.environmentKey }, seconds),
        },
      }),
  },
  {
    // Checked every sync interval: a scan that stopped (restart, rate limit) resumes within a minute.
    name: 'watch-scan',
    everyMs: (config) => Math.min(config.watch.syncIntervalMs, config.watch.fullScanIntervalMs),
    run: (ctx) =>
      runFullScanPass({
        now: ctx.now(),
        deps: { ...ctx, fullScanIntervalMs: ctx.config.watch.fullScanIntervalMs, clock: ctx.now },
      }),
  },
  {
    // Same rhythm as reminders: what happened is told within one check interval of the instant.
    // The bot's own first (in their threads), then those of watched environments.
    name: 'after-expiry',
    everyMs: (config) => config.reminders.checkIntervalMs,
    run: async (ctx) => {
      await runAfterExpiryPass({ now: ctx.now(), deps: ctx });
      const passed = new WatchedPassedStore(ctx.database.db);
      await runWatchedAfterExpiryPass({ now: ctx.now(), deps: { ...ctx, passed } });
    },
  },
  {
    // Approvers reminded at half a request's wait, requests expired at its end.
    name: 'approvals',
    everyMs: (config) => config.reminders.checkIntervalMs,
    run: (ctx) =>
      runApprovalDeadlines({
        now: ctx.now(),
        deps: { ...ctx, approvals: new ApprovalStore(ctx.database.db) },
      }),
  },
  {
    // LaunchDarkly's approval requests: read when something was said of them, else once a minute.
    name: 'launchdarkly-approvals',
    everyMs: (config) => Math.min(config.reminders.checkIntervalMs, 10_000),
    run: (ctx) => runLdApprovalPass({ deps: ctx }),
  },
  {
    name: 'prune',
    everyMs: () => 3_600_000,
    run: async (ctx) => {
      const before = ctx.now() - DAY;
      await ctx.safetyStore.prune(before);
      // Approval requests decided a day ago: what was said of them is in their threads.
      await new ApprovalStore(ctx.database.db).prune(before);
      await ctx.ldApprovalStore.prune(before);
      await new JobStore(ctx.database.db, ctx.database.dialect).prune(before);
      // Every claim table: settled claims for instants a day gone.
      for (const claims of [
        ctx.store.reminders.claims,
        ctx.store.passed.claims,
        ctx.mirror.reminders.claims,
        new WatchedPassedStore(ctx.database.db).claims,
      ])
        await claims.prune(before);
    },
  },
];

/**
 * Starts every pass on its own timer (never two runs of one pass at once); `stop` stops every
 * timer, then waits for the runs under way.
 */
export function startPasses(
  passes: readonly TimedPass[],
  ctx: Omit<PassContext, 'logger'> & { logger: Logger },
): { stop(): Promise<void> } {
  const running = passes.map((pass) => {
    const logger = ctx.logger.child({ component: pass.name });
    return every(pass.everyMs(ctx.config), () => pass.run({ ...ctx, logger }), ctx.logger, pass.name);
  });
  return {
    async stop() {
      await Promise.all(running.map((pass) => pass.stop()));
    },
  };
}
