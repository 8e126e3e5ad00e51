import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { LaunchDarklyClient } from './launchdarkly/client.js';
import { LdError, LdForbiddenError, LdNetworkError, LdUnauthorizedError } from './launchdarkly/errors.js';
import { type Logger, toBoltLogger } from './log.js';
import { connect, type DatabaseOptions, type Db } from './store/database.js';
import { readOnlyReason } from './store/write-probe.js';

/** Who the bot is in Slack, from `auth.test`; given to Bolt so it never asks (and caches a failure) itself. */
export interface SlackBot {
  botId: string;
  botUserId: string;
}

export type Check<T> = { ok: true; value: T } | { ok: false; problem: string };

export const SLACK_REJECTED = (code: string) =>
  `Slack refused SLACK_BOT_TOKEN (${code}): use the installed app's Bot User OAuth Token (xoxb-…); reinstall the app if the token was revoked.`;
export const SLACK_APP_TOKEN_REJECTED = (code: string) =>
  `Slack refused SLACK_APP_TOKEN (${code}): Socket Mode needs the app's App-Level Token (xapp-…) with the connections:write scope (Basic Information → App-Level Tokens); generate a new one if it was revoked.`;
export const SLACK_UNREACHABLE = (url: string, why: string) =>
  `Slack could not be reached at ${url} (${why}).`;
export const LD_REJECTED = (status: number) =>
  `LaunchDarkly refused LD_ACCESS_TOKEN (${status} ${status === 401 ? 'unauthorized' : 'forbidden'}): the token is wrong, expired or revoked, or its role may not read the caller identity.`;
export const LD_UNREACHABLE = (url: string, why: string) =>
  `LaunchDarkly could not be reached at ${url} (${why}).`;
export const LD_FAILED = (url: string, why: string) =>
  `LaunchDarkly at ${url} did not confirm LD_ACCESS_TOKEN: ${why}.`;
export const DATABASE_UNUSABLE = (where: string, why: string) =>
  `The database (DATABASE_URL: ${where}) is unusable: ${why}.`;

/**
 * A Web API client for checks: a deadline per call and one quick retry, where the app's own client
 * keeps trying for a person who waits. Without a timeout a Slack that never answers would hang the start.
 */
export function slackCheckClient(config: Config, logger: Logger, timeoutMs = 5_000): WebClient {
  return new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    timeout: timeoutMs,
    retryConfig: { retries: 1, factor: 1, minTimeout: 250, maxTimeout: 250 },
    logger: toBoltLogger(logger),
  });
}

/** `auth.test`: does Slack accept the bot token, and who is the bot? */
export async function checkSlack(client: WebClient, apiUrl: string): Promise<Check<SlackBot>> {
  try {
    const answer = await client.auth.test();
    if (!answer.bot_id || !answer.user_id) {
      return { ok: false, problem: SLACK_REJECTED('not a bot token') };
    }
    return { ok: true, value: { botId: answer.bot_id, botUserId: answer.user_id } };
  } catch (error) {
    return { ok: false, problem: slackProblem(error, apiUrl) };
  }
}

function slackProblem(error: unknown, apiUrl: string): string {
  const e = error as {
    code?: string;
    data?: { error?: unknown };
    original?: { code?: string; message?: string; cause?: { code?: string; message?: string } };
    statusCode?: number;
  };
  if (e.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string') {
    return SLACK_REJECTED(e.data.error);
  }
  if (e.code === 'slack_webapi_http_error') return SLACK_UNREACHABLE(apiUrl, `HTTP ${e.statusCode}`);
  if (e.code === 'slack_webapi_rate_limited_error') return SLACK_UNREACHABLE(apiUrl, 'rate limited');
  // fetch's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND, a timeout) in its cause.
  const original = e.original;
  const why =
    original?.cause?.code ??
    original?.code ??
    original?.cause?.message ??
    original?.message ??
    (error instanceof Error ? error.message : String(error));
  return SLACK_UNREACHABLE(apiUrl, why);
}

/**
 * Why Socket Mode did not start, when it is Slack refusing the app-level token (its client's
 * apps.connections.open gives up at once on invalid_auth and the like); undefined for anything else.
 */
export function socketModeProblem(error: unknown): string | undefined {
  const e = error as { code?: unknown; data?: { error?: unknown } };
  if (e.code !== 'slack_webapi_platform_error' || typeof e.data?.error !== 'string') return undefined;
  return SLACK_APP_TOKEN_REJECTED(e.data.error);
}

/** A cheap authenticated read (caller identity): does LaunchDarkly accept the token? */
export async function checkLaunchDarkly(ld: LaunchDarklyClient, baseUri: string): Promise<Check<undefined>> {
  try {
    await ld.getCallerIdentity();
    return { ok: true, value: undefined };
  } catch (error) {
    if (error instanceof LdUnauthorizedError || error instanceof LdForbiddenError) {
      return { ok: false, problem: LD_REJECTED(error.status!) };
    }
    if (error instanceof LdNetworkError) {
      return { ok: false, problem: LD_UNREACHABLE(baseUri, error.networkCode ?? 'network error') };
    }
    if (error instanceof LdError) return { ok: false, problem: LD_FAILED(baseUri, error.message) };
    throw error;
  }
}

/** Opens and migrates the database, and proves it takes writes. */
export async function checkDatabase(url: string, options: DatabaseOptions = {}): Promise<Check<Db>> {
  try {
    return { ok: true, value: await connect(url, options) };
  } catch (error) {
    const why =
      readOnlyReason(error) ??
      (error instanceof Error
        ? error.message || (error as { code?: string }).code || error.name
        : String(error));
    return { ok: false, problem: DATABASE_UNUSABLE(describeDatabase(url), why) };
  }
}

/** Where the database is, without the password a PostgreSQL URL may carry. */
export function describeDatabase(url: string): string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return `SQLite file ${url.replace(/^sqlite:/i, '')}`;
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'PostgreSQL (a URL that does not parse)';
  }
}
