import type { EnvironmentRef, MirrorCounts, Watch, WatchedEnvironment } from '../domain/watch.js';
import { LdError, LdNotFoundError } from '../launchdarkly/errors.js';
import { describeLdError } from './ld-errors.js';
import { type ScanDeps, type ScanProgress, scanEnvironment } from './scan.js';

/** User-facing sentences of watching that are not Block Kit; tests assert these. */
export const WATCH_FAILURES = {
  noProject: (e: EnvironmentRef) => `LaunchDarkly has no project ${e.projectKey}. Check --project.`,
  noEnvironment: (e: EnvironmentRef) =>
    `LaunchDarkly has no environment ${e.environmentKey} in project ${e.projectKey}. Check --env.`,
};

export type StartWatchOutcome =
  | { ok: true; already: boolean; counts: MirrorCounts }
  /** The watch stands but its first scan stopped; the scan job resumes it. */
  | { ok: false; watching: true; message: string }
  | { ok: false; watching: false; message: string };

interface StartContext {
  deps: ScanDeps;
  now: () => number;
  onProgress?: (p: ScanProgress) => void;
  /** How long to wait for another replica's scan of the same environment. */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A resumed job that had started this watch itself: its answer is still "following", not "already". */
  resumed?: boolean;
  /** Told once the watch is written down, before the scan. */
  onAdded?: () => Promise<unknown>;
}

const scanDone = (e: WatchedEnvironment | undefined) => e?.scan.finishedAt !== undefined && !e.scan.phase;

/**
 * Starts a channel's watch of an environment (PRODUCT §7) and answers with what the first scan
 * found: the environment must exist in LaunchDarkly; an environment another channel already
 * watches is not scanned again.
 */
export async function startWatch(watch: Watch, ctx: StartContext): Promise<StartWatchOutcome> {
  const { deps } = ctx;
  const pseudo = { kind: 'flag' as const, key: '*', ...watch };
  try {
    const environments = await deps.ld.listEnvironments(watch.projectKey);
    if (!environments.some((e) => e.key === watch.environmentKey)) {
      return { ok: false, watching: false, message: WATCH_FAILURES.noEnvironment(watch) };
    }
  } catch (error) {
    if (!(error instanceof LdError)) throw error;
    const message =
      error instanceof LdNotFoundError ? WATCH_FAILURES.noProject(watch) : describeLdError(error, pseudo);
    return { ok: false, watching: false, message };
  }
  const added = (await deps.watches.add(watch)) || ctx.resumed === true;
  if (added) await ctx.onAdded?.();
  const sleep = ctx.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const waitUntil = ctx.now() + (ctx.waitMs ?? 15 * 60_000);
  while (!scanDone(await deps.watches.environment(watch))) {
    const outcome = await scanEnvironment(watch, { now: ctx.now(), deps, onProgress: ctx.onProgress });
    if (outcome.status === 'failed') {
      return { ok: false, watching: true, message: describeLdError(outcome.error, pseudo) };
    }
    if (outcome.status === 'paused') return { ok: false, watching: true, message: 'The bot is restarting.' };
    // Unwatched meanwhile (the environment's state is gone), or done by another replica.
    if (outcome.status === 'not-due') break;
    if (outcome.status === 'busy') {
      // Another replica is scanning this environment: its result is ours.
      if (ctx.now() > waitUntil)
        return { ok: false, watching: true, message: 'The first scan is still running.' };
      await sleep(2_000);
    }
  }
  return { ok: true, already: !added, counts: await deps.mirror.counts(watch, ctx.now()) };
}

export interface WatchStatus {
  watch: Watch;
  counts: MirrorCounts;
  state: WatchedEnvironment | undefined;
}

/** What a channel follows, with what the mirror holds for each. */
export async function watchesOf(
  channelId: string,
  deps: Pick<ScanDeps, 'watches' | 'mirror'>,
  now: number,
): Promise<WatchStatus[]> {
  const watches = await deps.watches.ofChannel(channelId);
  return Promise.all(
    watches.map(async (watch) => ({
      watch,
      counts: await deps.mirror.counts(watch, now),
      state: await deps.watches.environment(watch),
    })),
  );
}
