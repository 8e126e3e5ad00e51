import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebClient } from '@slack/web-api';
import type { RequestBodies } from '../http/bodies.js';
import type { Refusal, Refusals } from '../http/refusals.js';
import type { Logger } from '../log.js';
import { type Linking, type LinkOutcome, OAUTH_CALLBACK_PATH } from '../services/linking.js';
import { LINK_MESSAGES } from './blocks/link.js';
import { textMessage } from './blocks/text.js';

/** LaunchDarkly's redirect carries a code and a state of a few dozen bytes each; far longer is not LaunchDarkly's. */
const MAX_CALLBACK_QUERY = 4 * 1024;

/**
 * Callbacks handled at once: each may wait seconds on LaunchDarkly (the exchange, who the member
 * is), and a person links once; beyond this a flood is answered 503 at once rather than queued.
 */
export const MAX_CALLBACKS_IN_FLIGHT = 32;

/** Why a callback links nothing; counted by reason in ld_expiry_bot_http_refusals_total. */
const REFUSED = {
  busy: { status: 503, reason: 'busy', why: 'more callbacks at once than any person links', level: 'warn' },
  missing: { status: 400, reason: 'no_state', why: 'a callback without a state', level: 'info' },
  unknown: { status: 400, reason: 'unknown_state', why: 'a state never handed out (forged?)', level: 'warn' },
  used: { status: 400, reason: 'used_state', why: 'a state used before (a replay?)', level: 'warn' },
  expired: { status: 400, reason: 'expired_state', why: 'a state older than 10 minutes', level: 'info' },
  longQuery: {
    status: 414,
    reason: 'too_large',
    why: 'a query string far longer than LaunchDarkly sends',
    level: 'warn',
  },
} as const satisfies Record<string, Refusal>;

/** The short pages the browser shows; no token, code or state is ever echoed. */
export const CALLBACK_PAGES = {
  linked: 'Your LaunchDarkly account is linked. You can close this tab and go back to Slack.',
  refused:
    'This link did not work: it was used already, is older than 10 minutes, or is not one I handed out. Nothing was linked. Ask for a new one with /expire link in Slack.',
  notLinked:
    'LaunchDarkly did not link your account; nothing changed. Slack tells you more. Try /expire link again.',
  failed: 'Something went wrong on my side; nothing was linked. Try /expire link again in a minute.',
  notYours:
    'The LaunchDarkly account that answered is not the one of the Slack user who asked for this link; nothing was linked. Each person links their own account with /expire link.',
  unconfirmed:
    'I could not confirm that this LaunchDarkly account belongs to the Slack user who asked for this link, so nothing was linked. Slack tells them more.',
  malformed: 'This is not a request LaunchDarkly sends; nothing was linked.',
} as const;

function page(status: number, text: string): { status: number; body: string } {
  return {
    status,
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ld-expiry-bot</title></head><body><p>${text}</p></body></html>`,
  };
}

const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // The page is plain text: nothing may run in it, frame it or learn where the person came from.
  'Content-Security-Policy': "default-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

/**
 * `GET /launchdarkly/oauth/callback` (PRODUCT §15): where LaunchDarkly sends a person back after
 * they authorized the bot. The one unsigned route besides Slack's and the webhook: its query is
 * bounded, a body is refused under the budget and deadline shared with the others
 * (`RequestBodies`), and every refusal is counted (`Refusals`). A missing, forged, reused or expired
 * state is a 400 and links nothing; otherwise the person is linked (`Linking.complete`) and told in
 * Slack which member they linked.
 */
export function oauthCallback(
  linking: Linking,
  deps: { slack: () => WebClient; logger: Logger },
  http: { bodies: RequestBodies; refusals: Refusals },
) {
  const send = (res: ServerResponse, answer: { status: number; body: string }) => {
    res.writeHead(answer.status, { ...HTML_HEADERS, Connection: 'close' });
    res.end(answer.body);
  };
  const refuse = (res: ServerResponse, refusal: Refusal, text: string = CALLBACK_PAGES.refused) =>
    http.refusals.refuse(res, OAUTH_CALLBACK_PATH, refusal, {
      headers: HTML_HEADERS,
      body: page(refusal.status, text).body,
    });
  const dm = (userId: string, text: string) =>
    deps
      .slack()
      .chat.postMessage({ channel: userId, ...textMessage(text) })
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, user: userId }, 'could not tell a person about their link');
      });

  let inFlight = 0;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (inFlight >= MAX_CALLBACKS_IN_FLIGHT) return refuse(res, REFUSED.busy, CALLBACK_PAGES.failed);
    inFlight++;
    try {
      await answer(req, res);
    } finally {
      inFlight--;
    }
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = (req.url ?? '').split('?')[1] ?? '';
    if (query.length > MAX_CALLBACK_QUERY) return refuse(res, REFUSED.longQuery, CALLBACK_PAGES.malformed);
    // A GET carries no body: one that comes with one is refused before a byte of it is held.
    const read = await http.bodies.read(req, 0);
    if ('refused' in read) return refuse(res, read.refused, CALLBACK_PAGES.malformed);
    const outcome: LinkOutcome = await linking.complete(new URLSearchParams(query));
    if (outcome.ok) {
      send(res, page(200, CALLBACK_PAGES.linked));
      await dm(outcome.userId, LINK_MESSAGES.linked(outcome.member, outcome.waiting));
      return;
    }
    if (outcome.reason === 'not-yours') {
      send(res, page(400, CALLBACK_PAGES.notYours));
      await dm(outcome.userId, LINK_MESSAGES.notYours(outcome.member));
      return;
    }
    if (outcome.reason === 'unconfirmed') {
      send(res, page(400, CALLBACK_PAGES.unconfirmed));
      await dm(outcome.userId, LINK_MESSAGES.unconfirmed(outcome.missing));
      return;
    }
    if (outcome.reason === 'refused' || outcome.reason === 'unavailable') {
      send(res, page(outcome.reason === 'refused' ? 400 : 502, CALLBACK_PAGES.notLinked));
      await dm(
        outcome.userId,
        outcome.reason === 'refused'
          ? LINK_MESSAGES.linkRefused(outcome.code)
          : LINK_MESSAGES.linkUnavailable,
      );
      return;
    }
    return refuse(res, REFUSED[outcome.reason]);
  }

  return {
    path: OAUTH_CALLBACK_PATH,
    method: ['GET'],
    // Bolt does not await a custom route: every failure is answered here.
    handler: (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((error: unknown) => {
        deps.logger.error({ err: error }, 'the LaunchDarkly OAuth callback failed');
        if (!res.headersSent) send(res, page(500, CALLBACK_PAGES.failed));
      });
    },
  };
}
