import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type CustomRoute } from '@slack/bolt';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { toBoltLogger } from './log.js';
import { checkSlack, type SlackBot, slackCheckClient } from './preflight.js';
import { READY_CHECK_TIMEOUT_MS, Readiness } from './readiness.js';
import { Changes } from './services/request-change.js';
import type { ListenerDeps } from './slack/context.js';
import { createHttpFetch } from './slack/http-fetch.js';
import { registerListeners } from './slack/listeners/index.js';
import { Lookups, within } from './slack/lookups.js';
import { TimeZones } from './slack/time-zones.js';
import { UserGroups } from './slack/user-groups.js';

/** Slack's default client retries for about half an hour; a person is waiting, so keep it short. */
const SLACK_RETRY = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 };

type AppDeps = Deps & {
  progressAfterMs?: number;
  /**
   * Who the bot is, from the start's own `auth.test`. Given, Bolt never calls auth.test itself;
   * otherwise it calls it once at construction and keeps a failure forever (every request dropped).
   */
  slackBot?: SlackBot;
};

/** The Bolt app with every listener registered. It never starts itself: `main.ts` or a test does. */
export function createApp(config: Config, deps: AppDeps): App {
  const slackChecks = slackCheckClient(config, deps.logger, READY_CHECK_TIMEOUT_MS);
  const readiness = new Readiness({
    pingDatabase: deps.pingDatabase,
    checkSlack: () => checkSlack(slackChecks, config.slack.apiUrl),
    logger: deps.logger,
    now: () => deps.now().getTime(),
  });
  const app = new App({
    token: config.slack.botToken,
    ...(deps.slackBot ?? {}),
    logger: toBoltLogger(deps.logger),
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: SLACK_RETRY, fetch: createHttpFetch() },
    customRoutes: operationalRoutes(readiness, deps),
    // Bolt's conversation store is unused here and costs a thrown Error on every request.
    convoStore: false,
    ...(config.slack.mode === 'socket'
      ? { socketMode: true, appToken: config.slack.appToken, installerOptions: { port: config.slack.port } }
      : { signingSecret: config.slack.signingSecret }),
  });

  const lookups = new Lookups(deps.ld, () => deps.now().getTime());
  const userGroups = new UserGroups(deps.logger, () => deps.now().getTime());
  const changes = new Changes({
    ...deps,
    policy: config.safety.policy,
    protectedEnvironments: config.safety.protectedEnvironments,
    groupsOf: (userId, groupIds) => userGroups.of(app.client, userId, groupIds),
    // LaunchDarkly's `critical` flag, unless it can't say in time.
    isCritical: async (resource) => {
      const environments = await within(lookups.listEnvironments(resource.projectKey), 1_500);
      return environments?.find((e) => e.key === resource.environmentKey)?.critical;
    },
  });
  const listenerDeps: ListenerDeps = {
    ...deps,
    defaults: { project: config.launchDarkly.project, environment: config.launchDarkly.environment },
    changes,
    timeZones: new TimeZones(config.defaultTimeZone, deps.logger, deps.now),
    lookups,
    slack: app.client,
    progressAfterMs: deps.progressAfterMs ?? 2_000,
  };
  deps.metrics.watchWork({ running: () => deps.work.running, open: () => deps.work.open() });
  registerListeners(app, listenerDeps);

  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });
  return app;
}

/** `/healthz`: the process answers. `/readyz`: it can do its work. `/metrics`: Prometheus text. */
function operationalRoutes(readiness: Readiness, deps: AppDeps): CustomRoute[] {
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const route = (path: string, handler: (res: ServerResponse) => Promise<void> | void): CustomRoute => ({
    path,
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      Promise.resolve(handler(res)).catch((error: unknown) => {
        deps.logger.error({ err: error, path }, 'operational route failed');
        if (!res.headersSent) send(res, 500, 'application/json', '{"ok":false}');
      });
    },
  });
  return [
    route('/healthz', (res) => send(res, 200, 'application/json', '{"ok":true}')),
    route('/readyz', async (res) => {
      const report = await readiness.check();
      send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify(report));
    }),
    route('/metrics', async (res) => {
      const { registry } = deps.metrics;
      send(res, 200, registry.contentType, await registry.metrics());
    }),
  ];
}
