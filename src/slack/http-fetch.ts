import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

type Fetch = typeof globalThis.fetch;

const DECODE: Record<string, (body: Buffer) => Buffer> = {
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * A `fetch` on node:http(s) with keep-alive, for Slack's Web API client and response_url replies.
 * Node's built-in fetch (undici) spends 1.6× (Node 20) to 1.9× (Node 24) the CPU per Slack call
 * (`npm run bench -- fetch`, compiled build), on the same event loop that must ack Slack within
 * 3 s. It covers what those two send (POST of a string or bytes, a timeout signal, no redirects)
 * and hands anything else (file uploads) to the built-in fetch.
 */
export function createHttpFetch(): Fetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    'https:': new HttpsAgent({ keepAlive: true }),
  };
  return (input, init = {}) => {
    const { body } = init;
    const url = new URL(input instanceof Request ? input.url : input);
    if (input instanceof Request || !(url.protocol in agents) || !isPlainBody(body)) {
      return globalThis.fetch(input, init);
    }
    const secure = url.protocol === 'https:';
    return new Promise<Response>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(new Headers(init.headers)),
          agent: agents[url.protocol as keyof typeof agents],
          signal: init.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            try {
              resolve(toResponse(res, Buffer.concat(chunks), init));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  };
}

function isPlainBody(body: unknown): body is string | Uint8Array | null | undefined {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}

function toResponse(res: IncomingMessage, raw: Buffer, init: RequestInit): Response {
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && init.redirect === 'error') {
    throw new TypeError(`fetch failed: redirected (${status}) where redirects are refused`);
  }
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2)
    headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const decode = DECODE[headers.get('content-encoding') ?? ''];
  const noBody = status === 204 || status === 304 || init.method === 'HEAD';
  return new Response(noBody ? null : decode ? decode(raw) : raw, {
    status,
    statusText: res.statusMessage,
    headers,
  });
}
