import { App } from '@slack/bolt';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { toBoltLogger } from './log.js';
import type { ListenerDeps } from './slack/context.js';
import { createHttpFetch } from './slack/http-fetch.js';
import * as confirmActions from './slack/listeners/actions/confirm.js';
import * as actions from './slack/listeners/actions/index.js';
import * as modalActions from './slack/listeners/actions/modal.js';
import * as commands from './slack/listeners/commands/index.js';
import * as options from './slack/listeners/options/index.js';
import * as views from './slack/listeners/views/index.js';
import { Lookups } from './slack/lookups.js';
import { Router } from './slack/router.js';
import { TimeZones } from './slack/time-zones.js';
import { UserGroups } from './slack/user-groups.js';
import { WorkQueue } from './slack/work-queue.js';

/** Changes worked on at once; each mostly waits on LaunchDarkly, so a few keep it busy. */
export const WORK_CONCURRENCY = 8;

/** Slack's default client retries for about half an hour; a person is waiting, so keep it short. */
const SLACK_RETRY = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 };

/** The Bolt app with every listener registered. It never starts itself: `main.ts` or a test does. */
export function createApp(config: Config, deps: Deps & { progressAfterMs?: number; work?: WorkQueue }): App {
  const healthz = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    },
  };
  const app = new App({
    token: config.slack.botToken,
    logger: toBoltLogger(deps.logger),
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: SLACK_RETRY, fetch: createHttpFetch() },
    customRoutes: [healthz],
    // Bolt's conversation store is unused here and costs a thrown Error on every request.
    convoStore: false,
    ...(config.slack.mode === 'socket'
      ? { socketMode: true, appToken: config.slack.appToken, installerOptions: { port: config.slack.port } }
      : { signingSecret: config.slack.signingSecret }),
  });

  const listenerDeps: ListenerDeps = {
    ...deps,
    defaults: { project: config.launchDarkly.project, environment: config.launchDarkly.environment },
    timeZones: new TimeZones(config.defaultTimeZone, deps.logger, deps.now),
    lookups: new Lookups(deps.ld, () => deps.now().getTime()),
    safety: config.safety,
    userGroups: new UserGroups(deps.logger, () => deps.now().getTime()),
    work: deps.work ?? new WorkQueue(WORK_CONCURRENCY, deps.logger),
    progressAfterMs: deps.progressAfterMs ?? 2_000,
  };
  commands.register(app, listenerDeps);
  const router = new Router(app);
  actions.register(router, listenerDeps);
  modalActions.register(router, listenerDeps);
  confirmActions.register(router, listenerDeps);
  options.register(router, listenerDeps);
  views.register(router, listenerDeps);

  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });
  return app;
}
