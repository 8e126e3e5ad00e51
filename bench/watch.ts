/**
 * `npm run bench -- watch`: what watching costs. A full scan at a simulated LaunchDarkly rate
 * limit (10 requests/s per route, on a simulated clock: the fake's windows and the client's waits
 * advance it, the HTTP is real), the steady-state sync, and a reminder pass over a large mirror.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { LaunchDarklyClient } from '../src/launchdarkly/client.js';
import type { Logger } from '../src/log.js';
import { runWatchReminderPass } from '../src/passes/watch-reminders.js';
import { runWatchSync } from '../src/passes/watch-sync.js';
import { scanEnvironment } from '../src/services/scan.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { WatchStore } from '../src/store/watch-store.js';
import { freshDatabase } from '../test/helpers/databases.js';
import { FakeLaunchDarkly } from '../test/helpers/fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, type FakeSlack } from '../test/helpers/fake-slack.js';
import { waitClock } from './stats.js';

type Row = (what: string, value: string, target?: string) => void;
const PROJECT = 'big';
const H = 3_600_000;
const sqliteUrl = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'ld-expiry-bench-')), 'watch.sqlite')}`;

export async function benchWatch(
  slack: FakeSlack,
  silent: Logger,
  row: Row,
): Promise<Record<string, unknown>> {
  const ld = await new FakeLaunchDarkly({ checkSchemas: false }).start();
  try {
    return {
      fullScan: await fullScan(ld, silent, row),
      steadyState: await steadyState(ld, silent, row),
      reminderPass: await reminderPass(ld, slack, silent, row),
    };
  } finally {
    await ld.stop();
  }
}

/** 2,000 flags (each targeting someone, every 10th with an expiry) and 200 segments (every 5th). */
function seedBig(ld: FakeLaunchDarkly, now: number) {
  ld.clear();
  ld.addProject(PROJECT, ['production', 'staging', 'qa']);
  for (let i = 0; i < 2_000; i++) {
    const key = `flag-${i}`;
    ld.addFlag(PROJECT, { key, targets: { production: [{ variation: 0, values: [`u-${i}`] }] } });
    if (i % 10 === 0) {
      ld.setExpiring('flag', PROJECT, key, 'production', {
        contextKind: 'user',
        contextKey: `u-${i}`,
        variationId: ld.variationId(PROJECT, key, 0),
        expirationDate: now + (1 + (i % 30)) * 24 * H,
      });
    }
  }
  for (let i = 0; i < 200; i++) {
    const key = `segment-${i}`;
    ld.addSegment(PROJECT, 'production', { key, included: [`s-${i}`] });
    if (i % 5 === 0) {
      ld.setExpiring('segment', PROJECT, key, 'production', {
        contextKind: 'user',
        contextKey: `s-${i}`,
        targetType: 'included',
        expirationDate: now + (1 + (i % 30)) * 24 * H,
      });
    }
  }
}

async function fullScan(ld: FakeLaunchDarkly, logger: Logger, row: Row) {
  const start = Date.parse('2031-03-01T12:00:00Z');
  let clock = start;
  seedBig(ld, start);
  ld.now = () => clock;
  ld.routeLimit = { perWindow: 100, windowMs: 10_000 };
  const handle = await freshDatabase(sqliteUrl());
  const watches = new WatchStore(handle.db);
  const env = { projectKey: PROJECT, environmentKey: 'production' };
  await watches.add({ channelId: 'C1', ...env, createdBy: 'U1', createdAt: start });
  const client = new LaunchDarklyClient({
    baseUri: ld.url,
    accessToken: ld.token,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    random: () => 0.5,
  });
  ld.requests.length = 0;
  const wall = performance.now();
  const outcome = await scanEnvironment(env, {
    now: start,
    deps: {
      ld: client,
      watches,
      mirror: new MirrorStore(handle.db),
      logger,
      owner: 'bench',
      fullScanIntervalMs: 24 * H,
      clock: () => clock,
    },
  });
  const wallMs = Math.round(performance.now() - wall);
  await handle.close();
  ld.routeLimit = undefined;
  if (outcome.status !== 'done') throw new Error(`bench full scan: ${outcome.status}`);
  const result = {
    flags: 2_000,
    segments: 200,
    requests: ld.requests.length,
    answered429: ld.rateLimited.answered,
    earlyRetries: ld.rateLimited.earlyRetries,
    simulatedSeconds: Math.round((clock - start) / 1000),
    wallMs,
    found: outcome.counts,
  };
  row(
    'watch: full scan, 2,000 flags + 200 segments at 10 req/s per route',
    `${result.requests} requests, ${result.simulatedSeconds} s simulated (${wallMs} ms wall), ${result.answered429} 429s, ${result.earlyRetries} retried early; found ${result.found.targets}`,
    'no 429 unhonoured',
  );
  return result;
}

async function steadyState(ld: FakeLaunchDarkly, logger: Logger, row: Row) {
  const now = Date.parse('2031-03-01T12:00:00Z');
  ld.now = () => now;
  const handle = await freshDatabase(sqliteUrl());
  const watches = new WatchStore(handle.db);
  const mirror = new MirrorStore(handle.db);
  const environments = ['production', 'staging', 'qa'];
  for (const environmentKey of environments) {
    await watches.add({
      channelId: 'C1',
      projectKey: PROJECT,
      environmentKey,
      createdBy: 'U1',
      createdAt: now,
    });
    // As a finished scan leaves it: the cursor after everything that happened so far.
    await watches.saveSyncCursor({ projectKey: PROJECT, environmentKey }, now, [], now);
  }
  const client = new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token });
  const PASSES = 10;
  ld.requests.length = 0;
  for (let i = 0; i < PASSES; i++) {
    await runWatchSync({
      now: now + (i + 1) * 60_000,
      deps: { ld: client, watches, mirror, logger, owner: 'bench' },
    });
  }
  await handle.close();
  const result = { environments: environments.length, passes: PASSES, requests: ld.requests.length };
  row(
    `watch: steady state, ${environments.length} environments × ${PASSES} sync intervals, nothing changing`,
    `${result.requests} LaunchDarkly requests (${(result.requests / (environments.length * PASSES)).toFixed(2)} per environment per interval)`,
    '1 per environment per interval',
  );
  return result;
}

async function reminderPass(ld: FakeLaunchDarkly, slack: FakeSlack, logger: Logger, row: Row) {
  const now = Date.parse('2031-03-01T12:00:00Z');
  ld.clear();
  ld.addProject(PROJECT, ['production']);
  ld.now = () => now;
  const handle = await freshDatabase(sqliteUrl());
  const watches = new WatchStore(handle.db);
  const mirror = new MirrorStore(handle.db);
  await watches.add({
    channelId: 'C1',
    projectKey: PROJECT,
    environmentKey: 'production',
    createdBy: 'U1',
    createdAt: now,
  });
  // 1,000 flags × 100 targets = 100,000 mirrored; flags 0–9 have 50 targets each due within the hour.
  for (let f = 0; f < 1_000; f++) {
    const key = `flag-${f}`;
    const resource = { kind: 'flag' as const, projectKey: PROJECT, key, environmentKey: 'production' };
    if (f < 10) ld.addFlag(PROJECT, { key });
    const targets = Array.from({ length: 100 }, (_, i) => {
      const due = f < 10 && i < 50;
      const expiresAt = due ? now + 30 * 60_000 : now + (7 + (i % 30)) * 24 * H;
      if (due) {
        ld.setExpiring('flag', PROJECT, key, 'production', {
          contextKind: 'user',
          contextKey: `u-${f}-${i}`,
          variationId: ld.variationId(PROJECT, key, 0),
          expirationDate: expiresAt,
        });
      }
      return { target: { contextKind: 'user', key: `u-${f}-${i}` }, expiresAt };
    });
    await mirror.replaceResource(resource, key, targets, 1, now - 30 * 24 * H);
  }
  const { timed, waited } = waitClock();
  ld.requests.length = 0;
  const postsBefore = slack.callsTo('chat.postMessage').length;
  const started = performance.now();
  const stats = await runWatchReminderPass({
    now,
    deps: {
      mirror,
      ld: timed(new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token })),
      slack: timed(new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl })) as unknown as WebClient,
      logger,
      leadTimesMs: [24 * H, H],
      owner: 'bench',
    },
  });
  const totalMs = Math.round(performance.now() - started);
  await handle.close();
  const result = {
    mirrored: 100_000,
    due: stats.due,
    posted: stats.posted,
    messages: slack.callsTo('chat.postMessage').length - postsBefore,
    ldRequests: ld.requests.length,
    totalMs,
    ownWorkMs: Math.round(totalMs - waited()),
  };
  row(
    `watch: reminder pass, 100,000 mirrored, ${result.posted} due in ${result.messages} messages`,
    `${totalMs} ms total, ${result.ownWorkMs} ms own work, ${result.ldRequests} LaunchDarkly requests`,
    'own work < 1 s',
  );
  return result;
}
