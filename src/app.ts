import { hostname } from 'node:os';
import { App } from '@slack/bolt';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { toBoltLogger } from './log.js';
import { Changes } from './services/request-change.js';
import type { ListenerDeps } from './slack/context.js';
import { createHttpFetch } from './slack/http-fetch.js';
import { registerListeners } from './slack/listeners/index.js';
import { Lookups, within } from './slack/lookups.js';
import { TimeZones } from './slack/time-zones.js';
import { UserGroups } from './slack/user-groups.js';
import { launchDarklyWebhook, WEBHOOK_JOB, webhookJob } from './webhook.js';

/** Slack's default client retries for about half an hour; a person is waiting, so keep it short. */
const SLACK_RETRY = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 };

/** The Bolt app with every listener registered. It never starts itself: `main.ts` or a test does. */
export function createApp(config: Config, deps: Deps & { progressAfterMs?: number }): App {
  const healthz = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    },
  };
  const webhook = config.watch.webhookSecret ? [launchDarklyWebhook(config.watch.webhookSecret, deps)] : [];
  if (config.watch.webhookSecret) deps.work.handle(WEBHOOK_JOB, webhookJob(deps));
  const app = new App({
    token: config.slack.botToken,
    logger: toBoltLogger(deps.logger),
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: SLACK_RETRY, fetch: createHttpFetch() },
    customRoutes: [healthz, ...webhook],
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
    isCritical: async (resource, waitMs) => {
      const environments = await within(lookups.listEnvironments(resource.projectKey), waitMs);
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
    watch: { owner: `${hostname()}:${process.pid}`, fullScanIntervalMs: config.watch.fullScanIntervalMs },
    progressAfterMs: deps.progressAfterMs ?? 2_000,
  };
  registerListeners(app, listenerDeps);

  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });
  return app;
}
