import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runWatchReminderPass, type WatchReminderDeps } from '../../src/passes/watch-reminders.js';
import { connect, type Db } from '../../src/store/database.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { DATABASES, freshDatabase } from '../helpers/databases.js';
import { FakeLaunchDarkly } from '../helpers/fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, FakeSlack } from '../helpers/fake-slack.js';
import { PROJECT, seed } from '../helpers/ld-fixtures.js';
import { silent } from '../helpers/silent-logger.js';

const H = 3_600_000;
const T0 = Date.parse('2030-01-10T12:00:00Z');
const PROD = { projectKey: PROJECT, environmentKey: 'production' };

let slack: FakeSlack;
let ld: FakeLaunchDarkly;
beforeAll(async () => {
  slack = await new FakeSlack().start();
  ld = await new FakeLaunchDarkly().start();
});
afterAll(async () => {
  await Promise.all([slack.stop(), ld.stop()]);
});

describe.each(DATABASES)('watched reminder pass on %s', (_name, url) => {
  let handle: Db;
  let dbUrl: string;
  const deps = (owner: string, mirror = new MirrorStore(handle.db)): WatchReminderDeps => ({
    mirror,
    ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, maxRetries: 0 }),
    slack: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    logger: silent,
    leadTimesMs: [24 * H, H],
    owner,
  });

  beforeEach(async () => {
    ld.clear();
    seed(ld);
    ld.now = () => T0;
    slack.reset();
    dbUrl = url();
    handle = await freshDatabase(dbUrl);
    const watches = new WatchStore(handle.db);
    for (const channelId of ['C1', 'C2'])
      await watches.add({ channelId, ...PROD, createdBy: 'U1', createdAt: T0 });
  });
  afterEach(async () => {
    slack.delayMs = 0;
    await handle.close();
  });

  it('two replicas sharing the database post each reminder once per watching channel', async () => {
    // 60 targets on 3 flags at 3 instants, mirrored as a scan would.
    const mirror = new MirrorStore(handle.db);
    for (let f = 0; f < 3; f++) {
      const key = `flag-${f}`;
      ld.addFlag(PROJECT, { key });
      const targets = Array.from({ length: 20 }, (_, i) => {
        const at = T0 + (30 + f) * H;
        ld.setExpiring('flag', PROJECT, key, 'production', {
          contextKind: 'user',
          contextKey: `user-${i}`,
          variationId: ld.variationId(PROJECT, key, 0),
          expirationDate: at,
        });
        return { target: { contextKind: 'user', key: `user-${i}` }, expiresAt: at };
      });
      await mirror.replaceResource({ kind: 'flag', key, ...PROD }, key, targets, 1, T0);
    }
    const replicaB = await connect(dbUrl.split('#')[0]!);
    slack.delayMs = 2;
    const now = T0 + 8 * H; // the 24h lead of all three instants has come
    const [a, b] = await Promise.all([
      runWatchReminderPass({ now, deps: deps('replica-a') }),
      runWatchReminderPass({ now, deps: deps('replica-b', new MirrorStore(replicaB.db)) }),
    ]).finally(() => replicaB.close());
    expect(a.posted + b.posted).toBe(120);
    const posted = slack.messages.filter((m) => m.text?.includes(' targets on flag'));
    expect(posted).toHaveLength(6);
    expect(posted.filter((m) => m.channel === 'C1')).toHaveLength(3);
    expect(new Set(posted.map((m) => `${m.channel}|${m.text}`)).size).toBe(6);

    // Nothing again, from either.
    expect((await runWatchReminderPass({ now: now + 60_000, deps: deps('replica-a') })).posted).toBe(0);
  });

  it('after downtime, one reminder for the nearest lead time', async () => {
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'sandy',
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
      expirationDate: T0 + 30 * H,
    });
    await new MirrorStore(handle.db).replaceResource(
      { kind: 'flag', key: 'new-checkout', ...PROD },
      undefined,
      [{ target: { contextKind: 'user', key: 'sandy' }, expiresAt: T0 + 30 * H }],
      1,
      T0,
    );
    const stats = await runWatchReminderPass({ now: T0 + 29.5 * H, deps: deps('a') });
    expect(stats).toMatchObject({ due: 4, superseded: 2, posted: 2, messages: 2 });
  });
});
