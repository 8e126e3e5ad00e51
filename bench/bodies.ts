import { request } from 'node:http';

/**
 * `count` POSTs of `bytes` each to the bot's Slack endpoint, all at once, each on its own
 * connection: unsigned, or with a well-formed but wrong signature and a fresh timestamp (which
 * the headers alone cannot tell from a real one). Resolves with how many got each status.
 */
export async function floodBodies(
  url: string,
  options: { count: number; bytes: number; signature: 'none' | 'forged' },
): Promise<Record<string, number>> {
  const body = Buffer.alloc(options.bytes, 'x');
  body.write('payload=');
  const statuses: Record<string, number> = {};
  // The first outcome of each request: its status, or the error of a connection closed under it.
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  await Promise.all(
    Array.from(
      { length: options.count },
      () =>
        new Promise<void>((done) => {
          let settled = false;
          const resolve = (outcome: string) => {
            if (settled) return;
            settled = true;
            count(outcome);
            done();
          };
          const headers: Record<string, string | number> = {
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': body.length,
          };
          if (options.signature === 'forged') {
            headers['X-Slack-Request-Timestamp'] = Math.floor(Date.now() / 1000);
            headers['X-Slack-Signature'] = `v0=${'0'.repeat(64)}`;
          }
          const req = request(`${url}/slack/events`, { method: 'POST', headers, agent: false }, (res) => {
            res.resume();
            resolve(String(res.statusCode));
          });
          // The bot may answer and close before the whole body is sent: that is the point.
          req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
          req.end(body);
        }),
    ),
  );
  return statuses;
}
