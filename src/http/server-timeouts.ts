import type { Server } from 'node:http';
import { BODY_DEADLINE_MS } from './bodies.js';

/**
 * The timeouts of every HTTP server the bot listens with, chosen rather than inherited (Node's
 * defaults let one request take 300 s and check only every 30 s):
 * - `headersTimeout` 10 s: Slack and LaunchDarkly send their headers in one packet; a connection
 *   that has not finished them in 10 s (or sends nothing at all) is answered 408 and closed.
 * - `requestTimeout` 15 s: headers plus the body's own deadline (`BODY_DEADLINE_MS`), the backstop
 *   for any route that reads a body without `RequestBodies`.
 * - `keepAliveTimeout` 65 s: longer than the 60 s idle timeout of the proxies usually in front
 *   (AWS ALB, nginx), so the proxy closes an idle connection first and never sends a request on one
 *   the bot is closing (a 502). An idle connection holds a socket, not a byte of the body budget.
 * - `connectionsCheckingInterval` 1 s: how often Node enforces the two above (30 s by default).
 */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 10_000 + BODY_DEADLINE_MS,
  keepAliveTimeout: 65_000,
  connectionsCheckingInterval: 1_000,
} as const;

/**
 * Sets the timeouts on a server created by someone else (Bolt's Socket Mode receiver creates the
 * server of its custom routes itself). Its checking interval stays Node's: it is fixed at creation.
 */
export function limitServer(server: Server): void {
  server.headersTimeout = SERVER_TIMEOUTS.headersTimeout;
  server.requestTimeout = SERVER_TIMEOUTS.requestTimeout;
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeout;
}
