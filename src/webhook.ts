import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { auditLogEntry, toAuditEntry } from './launchdarkly/audit-log.js';
import { LdError } from './launchdarkly/errors.js';
import { type MirrorDeps, refreshNamed } from './services/mirror.js';
import { JOB_KINDS } from './work/kinds.js';
import type { JobKind, Worker } from './work/worker.js';

/** The re-read a webhook asks for, as a job: LaunchDarkly's one retry of a delivery finds it there. */
const jobPayload = z.object({
  entry: z.string(),
  actor: z.string().optional(),
  resources: z.array(
    z.object({
      kind: z.enum(['flag', 'segment']),
      projectKey: z.string(),
      environmentKey: z.string(),
      key: z.string(),
    }),
  ),
});

export const WEBHOOK_PATH = '/launchdarkly/webhook';
/** An audit-log entry is a few kilobytes; anything far larger is not LaunchDarkly's. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** Whether `signature` is the hex HMAC-SHA256 of `body` under `secret`, compared in constant time. */
export function validSignature(body: Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The raw body, or undefined once it grows past `limit` (the rest is not read). */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
  res.end(JSON.stringify(body));
}

/**
 * `POST /launchdarkly/webhook` (PRODUCT §7): a LaunchDarkly webhook whose body is an audit-log
 * entry, signed in `X-LD-Signature`. A bad signature is a 401 and causes nothing; a good one is
 * answered at once and the flags and segments it names are re-read in watched environments. The
 * audit-log sync stays the source of truth (LaunchDarkly delivers webhooks at most twice, in any order).
 */
export function launchDarklyWebhook(secret: string, deps: MirrorDeps & { work: Worker; now: () => Date }) {
  return {
    path: WEBHOOK_PATH,
    method: ['POST'],
    // Bolt does not await a custom route: every failure is answered here.
    handler: (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'LaunchDarkly webhook failed');
        if (!res.headersSent) answer(res, 500, { error: 'internal error' });
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readLimited(req, MAX_WEBHOOK_BYTES);
    if (!body) {
      answer(res, 413, { error: 'payload too large' });
      req.destroy();
      return;
    }
    const signature = req.headers['x-ld-signature'];
    if (!validSignature(body, Array.isArray(signature) ? signature[0] : signature, secret)) {
      deps.logger.warn(
        { event: 'webhook_refused' },
        'LaunchDarkly webhook with a missing or wrong signature',
      );
      answer(res, 401, { error: 'invalid signature' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = auditLogEntry.safeParse(json);
    if (!parsed.success) {
      deps.logger.warn(
        { event: 'webhook_unreadable' },
        'signed LaunchDarkly webhook is not an audit-log entry',
      );
      answer(res, 400, { error: 'not an audit-log entry' });
      return;
    }
    const entry = toAuditEntry(parsed.data);
    // Full or failing, the sync reads the same entry within a minute: the answer is 202 either way.
    await deps.work
      .submit(JOB_KINDS.webhook, `webhook:${entry.id}`, {
        entry: entry.id,
        actor: entry.actor,
        resources: entry.resources,
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not queue a webhook re-read'));
    answer(res, 202, { ok: true });
  }
}

/** Re-reads what a webhook named; a LaunchDarkly failure is left to the next sync. */
export function webhookJob(deps: MirrorDeps & { now: () => Date }): JobKind {
  return {
    async run(job) {
      const p = jobPayload.parse(job.payload);
      try {
        const read = await refreshNamed(p.resources, { deps, now: deps.now().getTime(), setBy: p.actor });
        deps.logger.info({ event: 'webhook', entry: p.entry, read }, 'LaunchDarkly webhook');
      } catch (error) {
        if (!(error instanceof LdError)) throw error;
        deps.logger.warn({ err: error, entry: p.entry }, 'webhook re-read failed; the sync will read it');
      }
      return 'done';
    },
  };
}
