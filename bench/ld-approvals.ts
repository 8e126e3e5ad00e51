/**
 * LaunchDarkly's own approvals (PRODUCT §14): 200 grants in an environment that requires approval
 * become 200 approval requests; the follower reads each at most once a minute (requests counted);
 * once all are approved and applied in LaunchDarkly, one pass and its jobs set every expiry. In
 * one process with the fakes, on a pinned clock.
 */
import { LaunchDarklyClient } from '../src/launchdarkly/client.js';
import { runLdApprovalPass } from '../src/passes/ld-approvals.js';
import { LD_CHECK_EVERY_MS } from '../src/services/ld-approvals.js';
import { LdApprovalStore } from '../src/store/ld-approval-store.js';
import { WatchStore } from '../src/store/watch-store.js';
import { startBot } from '../test/helpers/bot.js';
import { freshDatabase, sqliteUrl } from '../test/helpers/databases.js';
import { type FakeLaunchDarkly, UI_MEMBER } from '../test/helpers/fake-launchdarkly.js';
import type { FakeSlack } from '../test/helpers/fake-slack.js';
import { silent } from '../test/helpers/silent-logger.js';
import { commandBody, postSigned } from '../test/helpers/slack-requests.js';

const REQUESTS = 200;
const PROJECT = 'bench-guarded';
const T0 = Date.parse('2030-01-10T18:00:00Z');

export async function benchLdApprovals(
  slack: FakeSlack,
  ld: FakeLaunchDarkly,
  row: (what: string, value: string, target?: string) => void,
) {
  ld.addProject(PROJECT, [{ key: 'production', approvals: true }]).addFlag(PROJECT, {
    key: 'gated',
    targets: { production: [{ variation: 0, values: ['someone'] }] },
  });
  let clock = T0;
  ld.now = () => clock;
  const database = await freshDatabase(sqliteUrl());
  const bot = await startBot(
    slack,
    ld,
    { LOG_LEVEL: 'warn', LD_PROJECT: PROJECT },
    {
      database,
      now: () => new Date(clock),
    },
  );
  const store = new LdApprovalStore(database.db);
  const deps = {
    ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token }),
    ldApprovalStore: store,
    watches: new WatchStore(database.db),
    logger: silent,
    work: bot.work,
    config: bot.config,
    now: () => clock,
    stopping: () => false,
  };
  for (let i = 0; i < REQUESTS; i++) {
    await postSigned(
      bot.url,
      commandBody({ text: `flag gated grant-${i} in 2 weeks --grant`, response_url: slack.responseUrl() }),
    );
  }
  await bot.work.idle();
  while ((await store.open({})).length < REQUESTS) await new Promise((r) => setTimeout(r, 50));

  const reads = () =>
    ld.requests.filter((r) => r.method === 'GET' && r.path.includes('/approval-requests/')).length;
  const pass = async () => {
    const before = reads();
    const started = performance.now();
    const counts = await runLdApprovalPass({ deps });
    await bot.work.idle();
    return { ms: Math.round(performance.now() - started), reads: reads() - before, ...counts };
  };
  // Nothing decided: within the minute no read; after it, one read each.
  clock += 30_000;
  const early = await pass();
  clock = T0 + LD_CHECK_EVERY_MS;
  const minute = await pass();
  // All approved and applied in LaunchDarkly: one pass finds them, its jobs set the expiries.
  for (const request of ld.approvals.list()) {
    ld.approvals.review(request.id, UI_MEMBER, 'approve');
    ld.approvals.apply(request.id, UI_MEMBER);
  }
  const patchesBefore = ld.patches().length;
  clock += LD_CHECK_EVERY_MS;
  const settled = await pass();
  const expiries = ld.expiringTargets('flag', PROJECT, 'gated', 'production').length;
  const patches = ld.patches().length - patchesBefore;
  await bot.stop();
  await database.close();
  row(
    `LaunchDarkly approvals: ${REQUESTS} open requests, a pass 30 s after they were made / a minute after`,
    `${early.reads} / ${minute.reads} reads of approval requests (${minute.ms} ms for the pass)`,
    'at most one read a minute each',
  );
  row(
    `LaunchDarkly approvals: all ${REQUESTS} approved and applied, one pass and its jobs`,
    `${settled.news} outcomes, ${expiries} expiries set with ${patches} PATCHes, ${settled.ms} ms`,
  );
  return { requests: REQUESTS, early, minute, settled, expiries, patches };
}
