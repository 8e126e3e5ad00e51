import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { createApp } from '../../src/app.js';
import { type Config, loadConfig, secretsOf } from '../../src/config.js';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { createLogger } from '../../src/log.js';
import { createMetrics, launchDarklyObserver, type Metrics } from '../../src/metrics.js';
import { checkSlack, slackCheckClient } from '../../src/preflight.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import { connect, type Db } from '../../src/store/database.js';
import { ExpiryStore } from '../../src/store/expiry-store.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { linkStoreOf } from '../../src/store/link-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { SafetyStore } from '../../src/store/safety-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import type { Worker } from '../../src/work/worker.js';
import { createWorker } from '../../src/work/worker.js';
import type { FakeLaunchDarkly } from './fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, type FakeSlack } from './fake-slack.js';
import { watchForLeaks } from './leak-registry.js';
import { type CommandFields, commandBody, postSigned, SIGNING_SECRET } from './slack-requests.js';

export interface Bot {
  url: string;
  app: App;
  config: Config;
  store: ExpiryStore;
  watches: WatchStore;
  mirror: MirrorStore;
  database: Db;
  /** The work behind its acks. */
  work: Worker;
  /** This bot's own registry, also served on `/metrics`. */
  metrics: Metrics;
  /** Every line the bot logged, already scrubbed. */
  logs: string[];
  command: (fields: CommandFields | string) => ReturnType<typeof postSigned>;
  stop: () => Promise<void>;
}

/** The environment of a bot wired to the fakes, with `overrides` on top. */
export function botEnv(slack: FakeSlack, ld: FakeLaunchDarkly, overrides: Record<string, string> = {}) {
  return {
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    LD_ACCESS_TOKEN: ld.token,
    LD_BASE_URI: ld.url,
    LD_PROJECT: 'default',
    LD_ENVIRONMENT: 'production',
    LOG_LEVEL: 'debug',
    // Most tests are not about protected environments; test/slack/safety.test.ts is.
    PROTECTED_ENVIRONMENTS: 'locked',
    ...overrides,
  };
}

/** The real Bolt app in HTTP mode on a free port, talking to the fake Slack and fake LaunchDarkly. */
export async function startBot(
  slack: FakeSlack,
  ld: FakeLaunchDarkly,
  env: Record<string, string> = {},
  options: {
    now?: () => Date;
    progressAfterMs?: number;
    database?: Db;
    /** How long the LaunchDarkly client waits for one answer (LD_ATTEMPT_TIMEOUT_MS in production). */
    ldTimeoutMs?: number;
  } = {},
): Promise<Bot> {
  const config = loadConfig(botEnv(slack, ld, env));
  const logs: string[] = [];
  watchForLeaks('the bot log', () => logs.join(''));
  const logger = createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    destination: { write: (l) => logs.push(l) },
  });
  const metrics = createMetrics();
  const client = new LaunchDarklyClient({
    baseUri: config.launchDarkly.baseUri,
    accessToken: config.launchDarkly.accessToken,
    logger,
    attemptTimeoutMs: options.ldTimeoutMs,
    ...launchDarklyObserver(metrics),
  });
  // As main.ts does: Bolt is told who the bot is and never calls auth.test itself.
  const slackBot = await checkSlack(slackCheckClient(config, logger), config.slack.apiUrl);
  if (!slackBot.ok) throw new Error(slackBot.problem);
  const database =
    options.database ??
    (await connect(`sqlite:${join(mkdtempSync(join(tmpdir(), 'ld-expiry-bot-')), 'bot.sqlite')}`));
  const store = new ExpiryStore(database.db);
  const work = createWorker(config, database, { logger, owner: `test:${process.pid}`, pollMs: 50 });
  const watches = new WatchStore(database.db);
  const mirror = new MirrorStore(database.db);
  const app = createApp(config, {
    ld: client,
    store,
    safetyStore: new SafetyStore(database.db),
    approvalStore: new ApprovalStore(database.db),
    ldApprovalStore: new LdApprovalStore(database.db),
    links: linkStoreOf(database.db, config.linking),
    watches,
    mirror,
    logger,
    now: options.now ?? (() => new Date()),
    work,
    progressAfterMs: options.progressAfterMs,
    metrics,
    probeDatabase: database.probeWrite,
    slackBot: slackBot.value,
  });
  const server = (await app.start(0)) as Server;
  work.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    config,
    store,
    watches,
    mirror,
    database,
    metrics,
    logs,
    command: (fields) => postSigned(url, commandBody(typeof fields === 'string' ? { text: fields } : fields)),
    work,
    stop: async () => {
      await app.stop();
      await work.stop(5_000);
      if (!options.database) await database.close();
    },
  };
}
