import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import pLimit from 'p-limit';
import type { z } from 'zod';
import type { Logger } from '../log.js';
import {
  errorForStatus,
  type LdErrorDetails,
  LdNetworkError,
  LdRateLimitError,
  LdResponseShapeError,
  LdTimeoutError,
} from './errors.js';
import { backoffMs, RateLimits, rateLimitWaitMs, retryAfterMs } from './rate-limit.js';
import { routeOf } from './routes.js';
import { errorBody } from './schemas.js';

export const LD_API_VERSION = '20240415';
export const SEMANTIC_PATCH_CONTENT_TYPE = 'application/json; domain-model=launchdarkly.semanticpatch';

/** One attempt's longest wait for a complete answer (LaunchDarkly answers in well under a second). */
export const LD_ATTEMPT_TIMEOUT_MS = 8_000;
/** One call's time for attempts and back-offs: a person hears something within seconds. */
export const LD_DEADLINE_MS = 15_000;
/** The most rate-limit waiting one call accepts; a longer wait fails at once with LdRateLimitError. */
export const LD_MAX_WAIT_MS = 30_000;
/** Retries after the first attempt: with the back-off, enough to ride out an outage of about 5 s. */
export const LD_MAX_RETRIES = 8;
/** Of those, at most this many after a 429: a limit that persists is the job's to retry later, told. */
export const LD_MAX_RATE_LIMIT_RETRIES = 4;

/** A request about to wait before it is sent: for a message to the person, a metric, a log line. */
export interface LdWait {
  route: string;
  ms: number;
  /** `rate-limit`: LaunchDarkly asked us to wait (429, or its window ran out); `retry`: back-off after a failure. */
  reason: 'rate-limit' | 'retry';
}

/** One finished exchange with LaunchDarkly (an answer or none): the one place to count and time them. */
export interface LdExchange {
  method: string;
  route: string;
  /** The HTTP status; undefined when there was no answer. */
  status: number | undefined;
  /** Node's code when there was no answer (ETIMEDOUT for our own deadline). */
  networkCode: string | undefined;
  ms: number;
}

export interface LdHttpOptions {
  baseUri: string;
  /** The Authorization header: the service token, or `Bearer <access token>` of a linked person. */
  accessToken: string;
  /** Whose token this is, carried by every error (a person hears of their own role). */
  actor?: 'bot' | 'person';
  /** Per attempt. */
  attemptTimeoutMs?: number;
  /** Per call, over all its attempts and back-offs (rate-limit waits it accepted come on top). */
  deadlineMs?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** The most rate-limit waiting one call accepts before failing with LdRateLimitError. */
  maxWaitMs?: number;
  /** Every wait of every call, e.g. for metrics; for one person's call see `reportingWaits`. */
  onWait?: (wait: LdWait) => void;
  onExchange?: (exchange: LdExchange) => void;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

type Method = 'GET' | 'PATCH' | 'POST';
type Query = Record<string, string | number | boolean | undefined>;

/**
 * Requests to LaunchDarkly at once, and the connections kept for them: a request beyond waits its
 * turn here, before its attempt's time starts, rather than for a socket inside it.
 */
export const LD_MAX_IN_FLIGHT = 32;

/** Connection failures after which the request certainly never reached LaunchDarkly. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Less than this left of a call's deadline is not worth another attempt. */
const MIN_ATTEMPT_MS = 500;

const waitListeners = new AsyncLocalStorage<(wait: LdWait) => void>();

/**
 * Runs `work` so that every LaunchDarkly wait inside it (a rate limit, a back-off) is reported to
 * `listener` first: how a use case tells the person who asked "LaunchDarkly asks me to wait 20 s".
 */
export function reportingWaits<T>(listener: (wait: LdWait) => void, work: () => Promise<T>): Promise<T> {
  return waitListeners.run(listener, work);
}

/** The listener `reportingWaits` set for the work running now, if any (for work sent on its behalf). */
export function currentWaitListener(): ((wait: LdWait) => void) | undefined {
  return waitListeners.getStore();
}

/**
 * The transport under the LaunchDarkly client: headers, zod parsing, typed errors, deadlines,
 * per-route rate limits and retries. A PATCH is retried only when LaunchDarkly certainly did not
 * apply it (429, connection refused); a GET also after 5xx, dropped connections and time-outs.
 */
export class LdHttp {
  private readonly axios: AxiosInstance;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: Logger | undefined;
  private readonly onWait: ((wait: LdWait) => void) | undefined;
  private readonly onExchange: ((exchange: LdExchange) => void) | undefined;
  private readonly limits = new RateLimits();
  private readonly inFlight = pLimit(LD_MAX_IN_FLIGHT);
  private readonly actor: 'bot' | 'person';

  constructor(options: LdHttpOptions) {
    this.axios = axios.create({
      baseURL: options.baseUri,
      headers: {
        Authorization: options.accessToken,
        'LD-API-Version': LD_API_VERSION,
        Accept: 'application/json',
        'User-Agent': 'ld-expiry-bot',
      },
      // Every status is handled below; axios errors (which carry the request headers) only arise
      // when there is no answer at all.
      validateStatus: () => true,
      maxRedirects: 0,
      // One warm connection pool instead of a TCP (and TLS) handshake per request.
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: LD_MAX_IN_FLIGHT }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: LD_MAX_IN_FLIGHT }),
    });
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? LD_ATTEMPT_TIMEOUT_MS;
    this.deadlineMs = options.deadlineMs ?? LD_DEADLINE_MS;
    this.maxRetries = options.maxRetries ?? LD_MAX_RETRIES;
    this.maxWaitMs = options.maxWaitMs ?? LD_MAX_WAIT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logger = options.logger;
    this.onWait = options.onWait;
    this.onExchange = options.onExchange;
    this.actor = options.actor ?? 'bot';
  }

  get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.output<S>> {
    return this.send('GET', path, schema, query);
  }

  /** A search that takes its filter as a JSON body (the audit log): a read, retried like a GET. */
  search<S extends z.ZodType>(path: string, body: unknown, schema: S, query?: Query): Promise<z.output<S>> {
    return this.send('POST', path, schema, query, body as object);
  }

  /** A semantic patch; `body` carries `comment` and `instructions`. */
  patch<S extends z.ZodType>(path: string, body: object, schema: S, query?: Query): Promise<z.output<S>> {
    return this.send('PATCH', path, schema, query, body);
  }

  /**
   * A POST that changes something (an approval request created, reviewed, applied): like a PATCH,
   * retried only when LaunchDarkly certainly never got it.
   */
  act<S extends z.ZodType>(path: string, body: object, schema: S): Promise<z.output<S>> {
    return this.send('POST', path, schema, undefined, body, true);
  }

  private async send<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    query: Query | undefined,
    body?: object,
    changes = method === 'PATCH',
  ): Promise<z.output<S>> {
    const route = routeOf(method, path);
    let deadline = this.now() + this.deadlineMs;
    let waited = 0;
    let limitedTimes = 0;
    for (let attempt = 0; ; attempt++) {
      // Rate-limit waits are announced and bounded on their own, so they extend the deadline.
      const waitMs = this.limits.reserve(route, this.now());
      if (waitMs > 0) {
        if (waited + waitMs > this.maxWaitMs) {
          throw new LdRateLimitError(
            { method, path, status: 429, code: 'rate_limited', actor: this.actor },
            waitMs,
          );
        }
        waited += waitMs;
        deadline += waitMs;
        await this.wait({ route, ms: waitMs, reason: 'rate-limit' });
      }

      // Waiting for a turn counts against the call's deadline, not against one attempt's time.
      const outcome = await this.inFlight(() =>
        this.attempt(method, route, path, query, body, deadline - this.now()),
      );
      if ('networkCode' in outcome) {
        const { networkCode } = outcome;
        const safeToRetry = !changes || (networkCode !== undefined && NOT_SENT_CODES.has(networkCode));
        this.logger?.warn(
          { method, route, networkCode, attempt },
          'LaunchDarkly request failed without an answer',
        );
        if (safeToRetry && (await this.backOff(route, attempt, deadline))) continue;
        if (networkCode === 'ETIMEDOUT') throw new LdTimeoutError({ method, path, actor: this.actor });
        throw new LdNetworkError({ method, path, actor: this.actor }, networkCode);
      }

      const { response } = outcome;
      const headers = response.headers as Record<string, unknown>;
      this.limits.observe(route, headers, this.now());
      if (response.status >= 200 && response.status < 300) return this.parse(method, path, schema, response);

      const details = this.details(method, path, response);
      if (response.status === 429) {
        const now = this.now();
        const until = this.limits.limited(route, headers, rateLimitWaitMs(headers, now, this.random), now);
        limitedTimes++;
        const mayRetry = attempt < this.maxRetries && limitedTimes <= LD_MAX_RATE_LIMIT_RETRIES;
        if (mayRetry && waited + (until - now) <= this.maxWaitMs) {
          this.logger?.info(
            { method, route, waitMs: until - now, attempt },
            'LaunchDarkly is rate limiting; waiting',
          );
          continue;
        }
        throw new LdRateLimitError(details, retryAfterMs(headers, now) ?? until - now);
      }
      if (!changes && response.status >= 500 && (await this.backOff(route, attempt, deadline))) continue;
      throw errorForStatus({ ...details, status: response.status });
    }
  }

  /** One exchange, abandoned after its share of the deadline. */
  private async attempt(
    method: Method,
    route: string,
    path: string,
    query: Query | undefined,
    body: object | undefined,
    leftMs: number,
  ): Promise<{ response: AxiosResponse } | { networkCode: string | undefined }> {
    const started = this.now();
    const timeout = new AbortController();
    // A timer rather than axios' `timeout`, which is only an idle-socket timer in Node: an answer
    // that trickles in byte by byte would never end.
    const timer = setTimeout(() => timeout.abort(), Math.max(1, Math.min(this.attemptTimeoutMs, leftMs)));
    let status: number | undefined;
    let networkCode: string | undefined;
    try {
      const response = await this.axios.request({
        method,
        url: path,
        params: query,
        data: body,
        headers: body
          ? { 'Content-Type': method === 'PATCH' ? SEMANTIC_PATCH_CONTENT_TYPE : 'application/json' }
          : undefined,
        signal: timeout.signal,
      });
      status = response.status;
      return { response };
    } catch (error) {
      networkCode = timeout.signal.aborted ? 'ETIMEDOUT' : axios.isAxiosError(error) ? error.code : undefined;
      return { networkCode };
    } finally {
      clearTimeout(timer);
      const exchange = { method, route, status, networkCode, ms: this.now() - started };
      this.logger?.debug(exchange, 'LaunchDarkly request');
      this.onExchange?.(exchange);
    }
  }

  /** Waits before a retry when the deadline leaves room for one; false when it does not. */
  private async backOff(route: string, attempt: number, deadline: number): Promise<boolean> {
    if (attempt >= this.maxRetries) return false;
    const ms = backoffMs(attempt, this.random);
    if (this.now() + ms + MIN_ATTEMPT_MS > deadline) return false;
    await this.wait({ route, ms, reason: 'retry' });
    return true;
  }

  private async wait(wait: LdWait): Promise<void> {
    for (const listener of [this.onWait, waitListeners.getStore()]) {
      try {
        listener?.(wait);
      } catch (error) {
        // A listener's bug must not turn a wait into a failed change.
        this.logger?.warn({ err: error }, 'a LaunchDarkly wait listener threw');
      }
    }
    await this.sleep(wait.ms);
  }

  private parse<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    response: AxiosResponse,
  ): z.output<S> {
    const parsed = schema.safeParse(response.data);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new LdResponseShapeError({ ...this.details(method, path, response) }, issues);
  }

  private details(method: Method, path: string, response: AxiosResponse): LdErrorDetails {
    const body = errorBody.safeParse(response.data);
    const requestId = response.headers['x-request-id'];
    return {
      method,
      path,
      status: response.status,
      code: body.success ? body.data.code : undefined,
      ldMessage: body.success ? body.data.message : undefined,
      requestId: typeof requestId === 'string' ? requestId : undefined,
      actor: this.actor,
    };
  }
}
