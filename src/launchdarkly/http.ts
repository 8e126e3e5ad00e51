import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import type { Logger } from '../log.js';
import {
  errorForStatus,
  type LdErrorDetails,
  LdNetworkError,
  LdRateLimitError,
  LdResponseShapeError,
} from './errors.js';
import { backoffMs, holdBackUntil, rateLimitWaitMs, retryAfterMs } from './rate-limit.js';
import { errorBody } from './schemas.js';

export const LD_API_VERSION = '20240415';
export const SEMANTIC_PATCH_CONTENT_TYPE = 'application/json; domain-model=launchdarkly.semanticpatch';

export interface LdHttpOptions {
  baseUri: string;
  accessToken: string;
  /** Per request. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** The longest single wait the client accepts before giving up on a 429. */
  maxWaitMs?: number;
  logger?: Logger;
  /** Told of every request and every rate-limit wait (metrics). */
  observer?: LdHttpObserver;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

type Method = 'GET' | 'PATCH';

export interface LdHttpObserver {
  request(info: { method: Method; path: string; status: number | 'network_error'; seconds: number }): void;
  /** `retry_after`: after a 429; `hold_back`: LaunchDarkly said the window is nearly used up. */
  rateLimitWait(info: { reason: 'retry_after' | 'hold_back'; seconds: number }): void;
}
type Query = Record<string, string | number | boolean | undefined>;

/** Connection failures after which the request certainly never reached LaunchDarkly. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The transport under the LaunchDarkly client: headers, zod parsing, typed errors, and retries.
 * A PATCH is retried only when LaunchDarkly certainly did not apply it (429, connection refused);
 * a GET also after 5xx and dropped connections.
 */
export class LdHttp {
  private readonly axios: AxiosInstance;
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: Logger | undefined;
  private readonly observer: LdHttpObserver | undefined;
  private pausedUntil = 0;

  constructor(options: LdHttpOptions) {
    this.axios = axios.create({
      baseURL: options.baseUri,
      timeout: options.timeoutMs ?? 30_000,
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
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 32 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 32 }),
    });
    this.maxRetries = options.maxRetries ?? 4;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logger = options.logger;
    this.observer = options.observer;
  }

  get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.output<S>> {
    return this.send('GET', path, schema, query);
  }

  /** A semantic patch; `body` carries `comment` and `instructions`. */
  patch<S extends z.ZodType>(path: string, body: object, schema: S, query?: Query): Promise<z.output<S>> {
    return this.send('PATCH', path, schema, query, body);
  }

  private async send<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    query: Query | undefined,
    body?: object,
  ): Promise<z.output<S>> {
    for (let attempt = 0; ; attempt++) {
      await this.waitForWindow();
      const started = this.now();
      let response: AxiosResponse;
      try {
        response = await this.axios.request({
          method,
          url: path,
          params: query,
          data: body,
          headers: body ? { 'Content-Type': SEMANTIC_PATCH_CONTENT_TYPE } : undefined,
        });
      } catch (error) {
        const networkCode = axios.isAxiosError(error) ? error.code : undefined;
        this.observer?.request({
          method,
          path,
          status: 'network_error',
          seconds: this.secondsSince(started),
        });
        const safeToRetry =
          method === 'GET' || (networkCode !== undefined && NOT_SENT_CODES.has(networkCode));
        this.logger?.warn(
          { method, path, networkCode, attempt },
          'LaunchDarkly request failed without an answer',
        );
        if (safeToRetry && attempt < this.maxRetries) {
          await this.sleep(backoffMs(attempt, this.random));
          continue;
        }
        throw new LdNetworkError({ method, path }, networkCode);
      }

      const headers = response.headers as Record<string, unknown>;
      this.logger?.debug(
        { method, path, status: response.status, ms: this.now() - started },
        'LaunchDarkly request',
      );
      this.observer?.request({ method, path, status: response.status, seconds: this.secondsSince(started) });
      const holdUntil = holdBackUntil(headers, this.now());
      if (holdUntil !== undefined) this.pausedUntil = Math.max(this.pausedUntil, holdUntil);

      if (response.status >= 200 && response.status < 300) return this.parse(method, path, schema, response);

      const details = this.details(method, path, response);
      if (response.status === 429) {
        const waitMs = rateLimitWaitMs(headers, this.now(), this.random);
        if (attempt < this.maxRetries && waitMs <= this.maxWaitMs) {
          this.logger?.info({ method, path, waitMs, attempt }, 'LaunchDarkly is rate limiting; waiting');
          this.observer?.rateLimitWait({ reason: 'retry_after', seconds: waitMs / 1_000 });
          await this.sleep(waitMs);
          continue;
        }
        throw new LdRateLimitError(details, retryAfterMs(headers, this.now()));
      }
      if (method === 'GET' && response.status >= 500 && attempt < this.maxRetries) {
        await this.sleep(backoffMs(attempt, this.random));
        continue;
      }
      throw errorForStatus({ ...details, status: response.status });
    }
  }

  private async waitForWindow(): Promise<void> {
    const waitMs = this.pausedUntil - this.now();
    if (waitMs <= 0) return;
    this.observer?.rateLimitWait({ reason: 'hold_back', seconds: waitMs / 1_000 });
    await this.sleep(waitMs);
  }

  private secondsSince(started: number): number {
    return (this.now() - started) / 1_000;
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
    };
  }
}
