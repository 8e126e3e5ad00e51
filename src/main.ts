import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig, secretsOf } from './config.js';
import { LaunchDarklyClient } from './launchdarkly/client.js';
import { createLogger, type Logger, redactSecrets } from './log.js';
import { createMetrics, launchDarklyObserver } from './metrics.js';
import { startPasses, TIMED_PASSES } from './passes/table.js';
import {
  checkDatabase,
  checkLaunchDarkly,
  checkSlack,
  slackCheckClient,
  socketModeProblem,
} from './preflight.js';
import { ApprovalStore } from './store/approval-store.js';
import { ExpiryStore } from './store/expiry-store.js';
import { LdApprovalStore } from './store/ld-approval-store.js';
import { linkStoreOf } from './store/link-store.js';
import { MirrorStore } from './store/mirror-store.js';
import { SafetyStore } from './store/safety-store.js';
import { WatchStore } from './store/watch-store.js';
import { createWorker } from './work/worker.js';

/** Known once the configuration is read: what crash output must never show. */
let secrets: string[] = [];

function readConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `ld-expiry-bot cannot start. ${error.message}\nSee .env.example for every variable.\n`,
      );
      process.exit(1);
    }
    throw error;
  }
}

/** Says what stops the start, one line each, never a secret, and exits. */
function cannotStart(problems: readonly string[]): never {
  const lines = problems.map((p) => `  - ${p}`).join('\n');
  process.stderr.write(redactSecrets(`ld-expiry-bot cannot start:\n${lines}\n`, secrets));
  process.exit(1);
}

/** What a stop may take before the process exits anyway; container runtimes allow about ten seconds. */
const STOP_GRACE_MS = 8_000;

function watchProcess(logger: Logger, stop: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      const force = setTimeout(() => {
        logger.error('the stop took too long; exiting (unfinished work is resumed by the next start)');
        process.exit(1);
      }, STOP_GRACE_MS + 2_000).unref();
      stop().then(
        () => {
          clearTimeout(force);
          logger.info({ signal }, 'stopped');
          process.exit(0);
        },
        (error) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
    });
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  secrets = secretsOf(config);
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const metrics = createMetrics();
  const ld = new LaunchDarklyClient({
    baseUri: config.launchDarkly.baseUri,
    accessToken: config.launchDarkly.accessToken,
    logger: logger.child({ component: 'launchdarkly' }),
    ...launchDarklyObserver(metrics),
  });
  // Everything the bot needs from outside, checked before it says it is running: a bot whose
  // token Slack refuses would otherwise answer /healthz and drop every request.
  const [databaseCheck, slackCheck, ldCheck] = await Promise.all([
    checkDatabase(config.databaseUrl, {
      logger: logger.child({ component: 'database' }),
      checkpointInBackground: true,
    }),
    checkSlack(slackCheckClient(config, logger), config.slack.apiUrl),
    checkLaunchDarkly(ld, config.launchDarkly.baseUri),
  ]);
  const problems = [databaseCheck, slackCheck, ldCheck].flatMap((c) => (c.ok ? [] : [c.problem]));
  if (!databaseCheck.ok || !slackCheck.ok || problems.length > 0) {
    if (databaseCheck.ok) await databaseCheck.value.close();
    cannotStart(problems);
  }
  const database = databaseCheck.value;
  const store = new ExpiryStore(database.db);
  const safetyStore = new SafetyStore(database.db);
  const now = () => new Date();
  const owner = `${hostname()}:${process.pid}`;
  const work = createWorker(config, database, { logger, owner });
  const watches = new WatchStore(database.db);
  const mirror = new MirrorStore(database.db);
  const ldApprovalStore = new LdApprovalStore(database.db);
  const app = createApp(config, {
    ld,
    store,
    safetyStore,
    approvalStore: new ApprovalStore(database.db),
    ldApprovalStore,
    links: linkStoreOf(database.db, config.linking),
    watches,
    mirror,
    logger,
    now,
    work,
    metrics,
    probeDatabase: database.probeWrite,
    slackBot: slackCheck.value,
  });

  if (config.slack.mode === 'socket') {
    // The app-level token is first used here: Slack's refusal is a start-up problem like the others.
    await app.start().catch(async (error: unknown) => {
      const problem = socketModeProblem(error);
      if (!problem) throw error;
      await database.close();
      cannotStart([problem]);
    });
  } else await app.start(config.slack.port);
  // Also resumes what a crash or a stop left unfinished, here or on another replica.
  work.start();
  let stopping = false;
  const passes = startPasses(TIMED_PASSES, {
    config,
    ld,
    store,
    safetyStore,
    ldApprovalStore,
    work,
    watches,
    mirror,
    metrics,
    slack: app.client,
    logger,
    database,
    owner,
    now: () => now().getTime(),
    stopping: () => stopping,
  });
  if (!config.safety.policyConfigured) {
    logger.warn(
      'CHANGE_POLICY is not set: everyone in the workspace may change every environment (protected ones ask for confirmation)',
    );
  }
  watchProcess(logger, async () => {
    stopping = true;
    await app.stop(); // no new requests
    await passes.stop();
    // What runs gets a few seconds to finish; the rest is handed back at once, not lost.
    const handedBack = await work.stop(STOP_GRACE_MS - 1_000);
    if (handedBack > 0) logger.info({ handedBack }, 'unfinished work handed back for the next start');
    await database.close();
  });
  logger.info(
    { mode: config.slack.mode, port: config.slack.port, database: database.dialect },
    'ld-expiry-bot is running',
  );
}

main().catch((error: unknown) => {
  // The logger may not exist yet; print the message only (a stack trace helps nobody here),
  // scrubbed of every secret (an error may quote a URL or a header).
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ld-expiry-bot stopped: ${redactSecrets(message, secrets)}\n`);
  process.exit(1);
});
