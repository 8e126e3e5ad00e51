import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../src/slack/http-fetch.js';

/** A small real server: echoes what it got, or answers the way a path asks. */
let server: Server;
let base: string;
const seen: Array<{ method?: string; headers: IncomingMessage['headers']; body: string; socket: number }> =
  [];
const socketIds = new WeakMap<object, number>();
let sockets = 0;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (!socketIds.has(req.socket)) socketIds.set(req.socket, ++sockets);
      const socket = socketIds.get(req.socket)!;
      seen.push({ method: req.method, headers: req.headers, body, socket });
      switch (req.url) {
        case '/gzip':
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
          return res.end(gzipSync('{"ok":true,"zipped":true}'));
        case '/redirect':
          res.writeHead(302, { Location: '/elsewhere' });
          return res.end();
        case '/empty':
          res.writeHead(204);
          return res.end();
        case '/slow':
          setTimeout(() => res.end('{}'), 2_000);
          return;
        default:
          res.writeHead(429, {
            'Content-Type': 'application/json',
            'Retry-After': '7',
            'Set-Cookie': ['a=1', 'b=2'],
          });
          return res.end(JSON.stringify({ ok: false, got: body }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('createHttpFetch', () => {
  const fetch = createHttpFetch();

  it('posts the body and headers and answers like fetch: status, headers, json', async () => {
    const res = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer xoxb-1' },
      body: 'channel=C1&text=hi',
    });
    expect(res.status).toBe(429);
    expect(res.ok).toBe(false);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ ok: false, got: 'channel=C1&text=hi' });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-1', 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('keeps the connection alive between calls', async () => {
    await (await fetch(`${base}/one`, { method: 'POST', body: 'a' })).text();
    await (await fetch(`${base}/two`, { method: 'POST', body: 'b' })).text();
    expect(seen.at(-1)!.socket).toBe(seen.at(-2)!.socket);
  });

  it('decodes a gzip body and gives a 204 no body', async () => {
    expect(await (await fetch(`${base}/gzip`)).json()).toEqual({ ok: true, zipped: true });
    const empty = await fetch(`${base}/empty`, { method: 'POST', body: '' });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  it('refuses a redirect when told to, as WebClient does, and honours a timeout signal', async () => {
    await expect(fetch(`${base}/redirect`, { method: 'POST', body: 'x', redirect: 'error' })).rejects.toThrow(
      /redirect/,
    );
    await expect(fetch(`${base}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toThrow(/abort/i);
  });

  it('hands bodies it does not cover (form data for uploads) to the built-in fetch', async () => {
    const form = new FormData();
    form.set('file', 'contents');
    const res = await fetch(`${base}/echo`, { method: 'POST', body: form });
    expect(((await res.json()) as { got: string }).got).toContain('contents');
    expect(seen.at(-1)!.headers['content-type']).toMatch(/^multipart\/form-data/);
  });
});
