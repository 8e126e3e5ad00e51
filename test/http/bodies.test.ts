import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBodies } from '../../src/http/bodies.js';
import { Refusals } from '../../src/http/refusals.js';
import { createLogger } from '../../src/log.js';
import { dripFeed, floodBodies } from '../helpers/unsigned-clients.js';

const KiB = 1024;
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A bare server reading every body through `bodies` and answering refusals through `refusals`. */
async function serve(bodies: RequestBodies, refusals: Refusals): Promise<string> {
  server = createServer(async (req, res) => {
    const read = await bodies.read(req, 256 * KiB);
    if ('refused' in read) return refusals.refuse(res, '/in', read.refused);
    res.end(String(read.body.length));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function refusalsWithLog(windowMs = 10_000) {
  const lines: any[] = [];
  const counter = new Counter({
    name: 'refused',
    help: 'refused',
    labelNames: ['route', 'reason'],
    registers: [new Registry()],
  });
  const logger = createLogger({
    level: 'debug',
    secrets: [],
    destination: { write: (l) => lines.push(JSON.parse(l)) },
  });
  return { refusals: new Refusals({ counter, logger, windowMs }), counter, lines };
}

describe('RequestBodies', () => {
  it('never holds more than its budget, however many bodies arrive at once: the rest are refused 503', async () => {
    const bodies = new RequestBodies({ budget: 1024 * KiB });
    const { refusals } = refusalsWithLog();
    const url = await serve(bodies, refusals);
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, bodies.held);
    }, 1);
    const outcomes = await floodBodies(url, { path: '/in', count: 60, bytes: 200 * KiB });
    clearInterval(sampler);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(1024 * KiB);
    expect(outcomes['503']).toBeGreaterThan(0);
    expect(outcomes['200']).toBeGreaterThan(0);
    expect(bodies.held).toBe(0);
  });

  it('holds only what a drip-feeder has sent, and cuts it off with 408 at the deadline', async () => {
    const bodies = new RequestBodies({ budget: 64 * KiB, deadlineMs: 400 });
    const { refusals } = refusalsWithLog();
    const url = await serve(bodies, refusals);
    const drip = dripFeed(url, {
      path: '/in',
      headers: () => ({}),
      connections: 8,
      declared: 200 * KiB,
      chunk: 16,
      everyMs: 100,
    });
    await new Promise((r) => setTimeout(r, 250));
    // Eight bodies declaring 1.6 MiB between them hold a few bytes each, far below a 64 KiB budget.
    expect(bodies.held).toBeGreaterThan(0);
    expect(bodies.held).toBeLessThanOrEqual(8 * 16 * 3);
    const fits = await fetch(url, { method: 'POST', body: 'x'.repeat(32 * KiB) });
    expect(await fits.text()).toBe(String(32 * KiB));
    await new Promise((r) => setTimeout(r, 600));
    const report = await drip.stop();
    expect(report.statuses['408']).toBeGreaterThanOrEqual(8);
    expect(report.longestMs).toBeLessThan(1_000);
  });

  it('refuses a body declared over the limit before reading it, and one that grows past it', async () => {
    const { refusals } = refusalsWithLog();
    const url = await serve(new RequestBodies(), refusals);
    expect((await fetch(url, { method: 'POST', body: 'x'.repeat(300 * KiB) })).status).toBe(413);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'.repeat(300 * KiB)));
        controller.close();
      },
    });
    const res = await fetch(url, { method: 'POST', body: chunked, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('Refusals', () => {
  it('counts every refusal and logs the first at once, then one line per window with how many followed', async () => {
    const { refusals, counter, lines } = refusalsWithLog(200);
    const url = await serve(new RequestBodies(), refusals);
    await Promise.all(
      Array.from({ length: 50 }, () => fetch(url, { method: 'POST', body: 'x'.repeat(300 * KiB) })),
    );
    expect((await counter.get()).values).toEqual([
      { value: 50, labels: { route: '/in', reason: 'too_large' } },
    ]);
    expect(lines.map((l) => l.refused)).toEqual([1]);
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.map((l) => l.refused)).toEqual([1, 49]);
    expect(lines[1]).toMatchObject({ route: '/in', reason: 'too_large', status: 413, seconds: 0.2 });
  });
});
