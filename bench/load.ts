import { Agent, request } from 'node:http';
import { SIGNING_SECRET, slackSignature } from '../test/helpers/slack-requests.js';

/**
 * The load generator's client: signed POSTs (forms, or JSON events) to an app's /slack/events over keep-alive
 * connections, on plain node:http. `fetch` costs the generator about 2 ms of CPU per request,
 * which on a shared core made the client, not the app under test, the slow part being timed.
 */
export function signedPoster(appUrl: string, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL('/slack/events', appUrl);
  const post = (
    body: string,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<{ status: number; ms: number }> => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': slackSignature(SIGNING_SECRET, timestamp, body),
    };
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  /** Opens every connection (a GET /healthz on each) before the timed requests. */
  const connect = () =>
    Promise.all(
      Array.from(
        { length: connections },
        () =>
          new Promise<void>((resolve, reject) => {
            request(new URL('/healthz', appUrl), { agent }, (res) => res.resume().on('end', resolve))
              .on('error', reject)
              .end();
          }),
      ),
    );
  return { connect, post, close: () => agent.destroy() };
}
