import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type BufferedIncomingMessage, HTTPModuleFunctions as bolt } from '@slack/bolt';
import { z } from 'zod';
import type { RequestBodies } from '../http/bodies.js';
import type { Refusal, Refusals } from '../http/refusals.js';

/**
 * The most a request from Slack may carry. Slack's largest payloads (a block_actions carrying a
 * whole modal or message) stay far below it; Bolt's default is 4 MB.
 */
export const SLACK_BODY_LIMIT = 1024 * 1024;
export const SLACK_ENDPOINT = '/slack/events';
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

/** Refusals of the Slack endpoint that need no body: a metric label each. */
const REFUSED = {
  unsigned: { status: 401, reason: 'unsigned', level: 'debug' },
  stale: { status: 401, reason: 'stale_signature', level: 'debug' },
  forged: { status: 401, reason: 'bad_signature', level: 'debug' },
  unreadable: { status: 400, reason: 'unreadable', why: 'the body is not JSON or a form' },
} as const satisfies Record<string, Refusal>;

/**
 * In front of Bolt's HTTPReceiver for its Slack endpoint. Bolt reads a whole body (up to 4 MB)
 * before it checks the signature and dereferences the parsed payload unchecked; this refuses what
 * is unsigned, stale or too large from the headers alone (before a byte of the body is held), reads
 * the rest through the shared `RequestBodies` (one budget, one deadline for every unsigned route),
 * and answers a signed but malformed payload 400. Every refusal is counted and logged sampled
 * (`Refusals`). The signature is checked here by Bolt's own function on the body read here; Bolt
 * then reuses the body (`rawBody`) and does not check the signature a second time
 * (`signatureVerification: false` on the receiver behind this guard).
 */
export function guardSlackRequests(
  next: RequestListener,
  options: {
    signingSecret: string;
    bodies: RequestBodies;
    refusals: Refusals;
    endpoint?: string;
    limit?: number;
    now?: () => number;
  },
): RequestListener {
  const endpoint = options.endpoint ?? SLACK_ENDPOINT;
  const limit = options.limit ?? SLACK_BODY_LIMIT;
  const now = options.now ?? Date.now;
  const refuse = (res: ServerResponse, refusal: Refusal) => options.refusals.refuse(res, endpoint, refusal);

  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://bot').pathname !== endpoint) {
      return next(req, res);
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const signature = req.headers['x-slack-signature'];
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    const signed = typeof signature === 'string' && SIGNATURE.test(signature) && Number.isInteger(timestamp);
    // Unsigned, only Slack's ssl_check may pass: read from a few bytes, stripped of anything else.
    if (!signed && !(declared <= UNSIGNED_LIMIT)) return refuse(res, REFUSED.unsigned);
    if (signed && Math.abs(now() / 1000 - timestamp) > MAX_AGE_S) return refuse(res, REFUSED.stale);
    void (async () => {
      const read = await options.bodies.read(req, signed ? limit : UNSIGNED_LIMIT);
      if ('refused' in read) return refuse(res, { why: `declared ${declared} bytes`, ...read.refused });
      (req as BufferedIncomingMessage).rawBody = read.body;
      let body: unknown;
      try {
        const buffered = await bolt.parseAndVerifyHTTPRequest(
          { enabled: true, signingSecret: options.signingSecret, nowMilliseconds: now },
          req,
        );
        body = bolt.parseHTTPRequestBody(buffered);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/signature|timestamp|authenticity/i.test(message)) return refuse(res, REFUSED.forged);
        return refuse(res, REFUSED.unreadable);
      }
      const why = malformedBecause(body);
      if (why) return refuse(res, { status: 400, reason: 'malformed', why: `malformed payload: ${why}` });
      next(req, res);
    })();
  };
}
