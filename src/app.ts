import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import {
  App,
  type Logger as BoltLogger,
  type CustomRoute,
  HTTPReceiver,
  SocketModeReceiver,
} from '@slack/bolt';
import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { RequestBodies } from './http/bodies.js';
import { Refusals } from './http/refusals.js';
import { limitServer, SERVER_TIMEOUTS } from './http/server-timeouts.js';
import { toBoltLogger } from './log.js';
import { checkSlack, type SlackBot, slackCheckClient } from './preflight.js';
import { READY_CHECK_TIMEOUT_MS, Readiness } from './readiness.js';
import { actingFor } from './services/acting-setup.js';
import { Approvals } from './services/approvals.js';
import { ldApprovalsFor } from './services/ld-approvals.js';
import { Changes } from './services/request-change.js';
import type { ListenerDeps } from './slack/context.js';
import { createHttpFetch } from './slack/http-fetch.js';
import { registerListeners } from './slack/listeners/index.js';
import { Lookups, within } from './slack/lookups.js';
import {
  type MethodLimitOptions,
  SLACK_ATTEMPT_TIMEOUT_MS,
  SLACK_MAX_WAIT_MS,
  type SlackWait,
  withMethodLimits,
} from './slack/method-limits.js';
import { oauthCallback } from './slack/oauth-callback.js';
import { guardSlackRequests, SLACK_BODY_LIMIT } from './slack/request-guard.js';
import { TimeZones } from './slack/time-zones.js';
import { UserGroups } from './slack/user-groups.js';
import { launchDarklyWebhook } from './webhook.js';

/** Slack's default client retries for about half an hour; a person is waiting, so keep it short. */
const SLACK_RETRY = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 };
/** One WebClient attempt: a rate-limit wait absorbed by the transport plus the exchange itself. */
export const SLACK_CALL_TIMEOUT_MS = SLACK_MAX_WAIT_MS + SLACK_ATTEMPT_TIMEOUT_MS + 1_000;

/**
 * WebClient's options: a deadline on every call, a short retry policy, and rate limits per method
 * in the transport (WebClient's own handling pauses every method on one 429).
 */
export function slackClientOptions(apiUrl: string, limits: MethodLimitOptions = {}): WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    retryConfig: SLACK_RETRY,
    timeout: SLACK_CALL_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    fetch: withMethodLimits(createHttpFetch(), limits),
  };
}

/** What every unsigned route reads its body through, and answers its refusals with. */
interface BodyGuard {
  bodies: RequestBodies;
  refusals: Refusals;
}

/**
 * Bolt's HTTP receiver with the guard in front of its Slack endpoint (see request-guard.ts), whose
 * server starts with the timeouts of `SERVER_TIMEOUTS`, whoever starts it (main.ts or a test).
 */
function httpReceiver(
  signingSecret: string,
  customRoutes: CustomRoute[],
  logger: BoltLogger,
  guard: BodyGuard,
) {
  const receiver = new HTTPReceiver({
    signingSecret,
    customRoutes,
    logger,
    bodyLimit: SLACK_BODY_LIMIT,
    // The guard checks every signature before Bolt sees the request: once per request, not twice.
    signatureVerification: false,
  });
  receiver.requestListener = guardSlackRequests(receiver.requestListener, { signingSecret, ...guard });
  const start = receiver.start.bind(receiver) as (port: number, options: ServerOptions) => Promise<Server>;
  receiver.start = ((port: number, options: ServerOptions = {}) =>
    start(port, { ...SERVER_TIMEOUTS, ...options })) as HTTPReceiver['start'];
  return receiver;
}

/**
 * Socket Mode's receiver. Its server for the custom routes (health, metrics, the webhook) is created
 * inside it with Node's defaults: the same timeouts are set on it here.
 */
function socketModeReceiver(
  options: ConstructorParameters<typeof SocketModeReceiver>[0],
): SocketModeReceiver {
  const receiver = new SocketModeReceiver(options);
  const { httpServer } = receiver as unknown as { httpServer?: Server };
  if (httpServer) limitServer(httpServer);
  return receiver;
}

type AppDeps = Deps & {
  progressAfterMs?: number;
  onSlackWait?: (wait: SlackWait) => void;
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
    probeDatabase: deps.probeDatabase,
    checkSlack: () => checkSlack(slackChecks, config.slack.apiUrl),
    logger: deps.logger,
    now: () => deps.now().getTime(),
  });
  // One budget and one deadline for the bodies of every unsigned route: Slack's and the webhook.
  const guard: BodyGuard = {
    bodies: new RequestBodies(),
    refusals: new Refusals({ counter: deps.metrics.httpRefusals, logger: deps.logger }),
  };
  const webhook = config.watch.webhookSecret
    ? [launchDarklyWebhook(config.watch.webhookSecret, deps, guard)]
    : [];
  // Who changes are made as (LD_ACT_AS), and linking with its callback when configured (PRODUCT §15).
  const slack = (): WebClient => app.client;
  const emailOf = async (userId: string) => (await slack().users.info({ user: userId })).user?.profile?.email;
  const { actAs, linking } = actingFor(config, deps, emailOf);
  const callback = linking ? [oauthCallback(linking, { slack, logger: deps.logger }, guard)] : [];
  const routes: CustomRoute[] = [...operationalRoutes(readiness, deps), ...webhook, ...callback];
  const logger = toBoltLogger(deps.logger);
  const clientOptions = slackClientOptions(config.slack.apiUrl, {
    onWait: (wait) => {
      deps.logger.info(wait, 'Slack is rate limiting this method; waiting');
      deps.onSlackWait?.(wait);
    },
  });
  const app: App = new App({
    token: config.slack.botToken,
    ...(deps.slackBot ?? {}),
    logger,
    clientOptions,
    // Bolt's conversation store is unused here and costs a thrown Error on every request.
    convoStore: false,
    ...(config.slack.mode === 'socket'
      ? {
          socketMode: true,
          receiver: socketModeReceiver({
            appToken: config.slack.appToken!,
            customRoutes: routes,
            // Socket Mode's client calls Slack with these too (Bolt passes them on only to a receiver it builds).
            installerOptions: { port: config.slack.port, clientOptions },
            logger,
          }),
        }
      : {
          receiver: httpReceiver(config.slack.signingSecret!, routes, logger, guard),
        }),
  });

  const lookups = new Lookups(deps.ld, () => deps.now().getTime());
  const userGroups = new UserGroups(deps.logger, () => deps.now().getTime());
  const groupsOf = (userId: string, groupIds: readonly string[]) =>
    userGroups.of(app.client, userId, groupIds);
  const approvals = new Approvals({
    approvals: deps.approvalStore,
    config: config.approvals,
    groupsOf,
    now: deps.now,
    logger: deps.logger,
  });
  const ldApprovals = ldApprovalsFor({ ...deps, now: () => deps.now().getTime() }, config);
  const changes = new Changes({
    ...deps,
    approvals,
    ldApprovals,
    policy: config.safety.policy,
    protectedEnvironments: config.safety.protectedEnvironments,
    groupsOf,
    actAs,
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
    approvals,
    ldApprovals,
    timeZones: new TimeZones(config.defaultTimeZone, deps.logger, deps.now),
    lookups,
    slack: app.client,
    watch: { owner: `${hostname()}:${process.pid}`, fullScanIntervalMs: config.watch.fullScanIntervalMs },
    progressAfterMs: deps.progressAfterMs ?? 2_000,
    actAs,
    linking,
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
