import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HTTPModuleFunctions as bolt } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../log.js';

/**
 * The most a request from Slack may carry. Slack's largest payloads (a block_actions carrying a
 * whole modal or message) stay far below it; Bolt's default is 4 MB.
 */
export const SLACK_BODY_LIMIT = 1024 * 1024;
/** The most request bytes held at once across all requests still being read. */
export const SLACK_BODY_BUDGET = 16 * 1024 * 1024;
/** Slack refuses to sign anything older; Bolt checks the same window. */
const MAX_AGE_S = 5 * 60;
/** Slack's ssl_check is the one unsigned request it sends: a form of a few bytes. */
const UNSIGNED_LIMIT = 512;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

const interactive = z.object({ user: z.object({ id: z.string() }) });
/** What Bolt and our listeners dereference before their own parsing, per payload type. */
const PAYLOAD_SHAPES: Record<string, z.ZodType> = {
  block_actions: interactive.extend({
    actions: z.array(z.object({ action_id: z.string() })).min(1),
  }),
  view_submission: interactive.extend({ view: z.object({ id: z.string(), callback_id: z.string() }) }),
  view_closed: interactive.extend({ view: z.object({ id: z.string(), callback_id: z.string() }) }),
  block_suggestion: interactive.extend({ action_id: z.string() }),
  shortcut: interactive.extend({ callback_id: z.string() }),
  message_action: interactive.extend({ callback_id: z.string() }),
};
const envelope = z.union([
  z.object({ command: z.string(), text: z.string().optional() }),
  z.object({ type: z.string(), event: z.record(z.string(), z.unknown()).optional() }),
  z.object({ ssl_check: z.string() }),
]);

/** Why a signed body is refused; undefined when Bolt may have it. */
export function malformedBecause(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not an object';
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return 'neither a command, an event nor an interaction';
  const type = (body as { type?: unknown }).type;
  const shape = typeof type === 'string' ? PAYLOAD_SHAPES[type] : undefined;
  if (shape && !shape.safeParse(body).success) return `a ${type} without the fields Slack always sends`;
  return undefined;
}

/**
 * In front of Bolt's HTTPReceiver for its Slack endpoint. Bolt reads a whole body (up to 4 MB)
 * before it checks the signature and dereferences the parsed payload unchecked; this refuses what
 * is unsigned, stale or too large from the headers alone (before a byte of the body is held), caps
 * the bytes held at once, and answers a signed but malformed payload 400 with one log line.
 * The body is read and its signature checked here, by Bolt's own functions (the limit applied
 * while reading); Bolt then reuses the body and does not check the signature a second time
 * (`signatureVerification: false` on the receiver behind this guard).
 */
export function guardSlackRequests(
  next: RequestListener,
  options: {
    signingSecret: string;
    logger: Logger;
    endpoint?: string;
    limit?: number;
    budget?: number;
    now?: () => number;
  },
): RequestListener {
  const endpoint = options.endpoint ?? '/slack/events';
  const limit = options.limit ?? SLACK_BODY_LIMIT;
  const budget = options.budget ?? SLACK_BODY_BUDGET;
  const now = options.now ?? Date.now;
  let held = 0;

  const refuse = (res: ServerResponse, status: number, why: string, level: 'debug' | 'warn' = 'warn') => {
    options.logger[level]({ status, why }, 'refused a request to the Slack endpoint');
    // Not waiting for the rest of a body we will not read: the socket goes once the answer is out.
    res.writeHead(status, { Connection: 'close', ...(status === 503 ? { 'Retry-After': '1' } : {}) });
    res.end();
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://bot').pathname !== endpoint) {
      return next(req, res);
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const signature = req.headers['x-slack-signature'];
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    const signed = typeof signature === 'string' && SIGNATURE.test(signature) && Number.isInteger(timestamp);
    // Unsigned, only Slack's ssl_check may pass: read from a few bytes, stripped of anything else.
    if (!signed && !(declared <= UNSIGNED_LIMIT)) return refuse(res, 401, 'unsigned', 'debug');
    if (signed && Math.abs(now() / 1000 - timestamp) > MAX_AGE_S)
      return refuse(res, 401, 'stale signature', 'debug');
    if (declared > limit) return refuse(res, 413, `body of ${declared} bytes`);
    const reserved = Number.isFinite(declared) ? declared : limit;
    if (held + reserved > budget) return refuse(res, 503, 'too many bodies being read at once');
    held += reserved;
    let released = false;
    const release = () => {
      if (!released) held -= reserved;
      released = true;
    };
    req.once('close', release);
    void (async () => {
      let body: unknown;
      try {
        const buffered = await bolt.parseAndVerifyHTTPRequest(
          { enabled: true, signingSecret: options.signingSecret, bodyLimit: limit, nowMilliseconds: now },
          req,
        );
        release();
        body = bolt.parseHTTPRequestBody(buffered);
      } catch (error) {
        release();
        if (bolt.isRawBodyError(error) && error.statusCode === 413)
          return refuse(res, 413, 'body over the limit');
        if (bolt.isRawBodyError(error)) return refuse(res, 400, 'the body could not be read');
        const message = error instanceof Error ? error.message : String(error);
        if (/signature|timestamp|authenticity/i.test(message))
          return refuse(res, 401, 'bad signature', 'debug');
        return refuse(res, 400, 'the body is not JSON or a form');
      }
      const why = malformedBecause(body);
      if (why) return refuse(res, 400, `malformed payload: ${why}`);
      next(req, res);
    })();
  };
}
