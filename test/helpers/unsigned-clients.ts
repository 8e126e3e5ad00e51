import { request } from 'node:http';
import { connect } from 'node:net';

/**
 * Clients an attacker would write against the bot's unsigned routes, over real sockets: headers
 * that look signed (a fresh timestamp and a well-formed signature that is wrong), which nothing can
 * tell from a real one before the body is read.
 */
export const FORGED_HEADERS = {
  slack: (): Record<string, string | number> => ({
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': Math.floor(Date.now() / 1000),
    'X-Slack-Signature': `v0=${'0'.repeat(64)}`,
  }),
  webhook: (): Record<string, string | number> => ({
    'Content-Type': 'application/json',
    'X-LD-Signature': '0'.repeat(64),
  }),
};

/** What the drip-feeders saw: how many connections, the statuses answered, the longest a body was held. */
export interface DripReport {
  connections: number;
  statuses: Record<string, number>;
  longestMs: number;
}

/**
 * `connections` clients that each declare `declared` bytes and send `chunk` bytes every `everyMs`;
 * each connection the bot closes is opened again at once (as a real attacker would) until `stop()`,
 * which resolves once every connection is gone.
 */
export function dripFeed(
  url: string,
  options: {
    path: string;
    headers: () => Record<string, string | number>;
    connections: number;
    declared: number;
    chunk: number;
    everyMs: number;
  },
): { stop: () => Promise<DripReport> } {
  const { hostname, port } = new URL(url);
  const report: DripReport = { connections: 0, statuses: {}, longestMs: 0 };
  let stopping = false;
  const sockets = new Set<ReturnType<typeof connect>>();
  const open = (): Promise<void> =>
    new Promise((closed) => {
      report.connections++;
      const started = performance.now();
      const socket = connect(Number(port), hostname);
      sockets.add(socket);
      const head = Object.entries({ ...options.headers(), 'Content-Length': options.declared })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.write(`POST ${options.path} HTTP/1.1\r\nHost: ${hostname}\r\n${head}\r\n`);
      const timer = setInterval(() => socket.write('x'.repeat(options.chunk)), options.everyMs);
      let answered = false;
      socket.on('data', (data) => {
        const status = /^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[1];
        if (status && !answered) {
          answered = true;
          report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        clearInterval(timer);
        report.longestMs = Math.max(report.longestMs, performance.now() - started);
        closed();
      });
    });
  const loops = Array.from({ length: options.connections }, async () => {
    while (!stopping) await open();
  });
  return {
    stop: async () => {
      stopping = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all(loops);
      return report;
    },
  };
}

/**
 * `count` POSTs of `bytes` each to `path`, all at once, each on its own connection, with `headers`
 * (none: unsigned). Every body's first half goes out before any second half, so that all of them
 * are being read at the same time. Resolves with how many ended each way: a status, or the error
 * of a connection the bot closed under a body it would not read.
 */
export async function floodBodies(
  url: string,
  options: { path: string; count: number; bytes: number; headers?: () => Record<string, string | number> },
): Promise<Record<string, number>> {
  const body = Buffer.alloc(options.bytes, 'x');
  const half = Math.floor(body.length / 2);
  const outcomes: Record<string, number> = {};
  let halfway = 0;
  let allHalfway: () => void = () => undefined;
  const together = new Promise<void>((resolve) => {
    allHalfway = resolve;
  });
  // A pause once every first half is out, for the bot to read them all before any body ends.
  const wentHalfway = () => {
    if (++halfway === options.count) setTimeout(allHalfway, 250);
  };
  await Promise.all(
    Array.from(
      { length: options.count },
      () =>
        new Promise<void>((done) => {
          let settled = false;
          let halfSent = false;
          const sentHalf = () => {
            if (halfSent) return;
            halfSent = true;
            wentHalfway();
          };
          const settle = (outcome: string) => {
            if (settled) return;
            settled = true;
            outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
            done();
          };
          const headers = { 'Content-Length': body.length, ...(options.headers?.() ?? {}) };
          const req = request(`${url}${options.path}`, { method: 'POST', headers, agent: false }, (res) => {
            res.resume();
            settle(String(res.statusCode));
          });
          // The bot may answer and close before the whole body is sent: that is the point.
          req.on('error', (error: NodeJS.ErrnoException) => {
            settle(error.code ?? 'error');
            sentHalf();
          });
          req.write(body.subarray(0, half), () => {
            sentHalf();
            void together.then(() => req.end(body.subarray(half)));
          });
        }),
    ),
  );
  return outcomes;
}
