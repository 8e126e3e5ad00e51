import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { aboutApprovals } from './domain/ld-approval.js';
import { resourceId } from './domain/watch.js';
import type { RequestBodies } from './http/bodies.js';
import type { Refusal, Refusals } from './http/refusals.js';
import { auditLogEntry, toAuditEntry } from './launchdarkly/audit-log.js';
import { LdError } from './launchdarkly/errors.js';
import { type MirrorDeps, refreshNamed } from './services/mirror.js';
import type { LdApprovalStore } from './store/ld-approval-store.js';
import { JOB_KINDS } from './work/kinds.js';
import type { JobKind, Worker } from './work/worker.js';

/** The re-read a webhook asks for, as a job: LaunchDarkly's one retry of a delivery finds it there. */
const jobPayload = z.object({
  entry: z.string(),
  actor: z.string().optional(),
  /** The end of the merge window; jobs written before windows existed have none and run at once. */
  readAt: z.number().optional(),
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
/** LaunchDarkly's own entries name one flag or segment; an entry naming more waits for the sync. */
export const MAX_WEBHOOK_RESOURCES = 5;
/**
 * Entries about one flag or segment within this long are merged into one re-read at its end: a
 * burst of changes to one flag costs one read per window, and the read sees the last of them.
 */
export const WEBHOOK_MERGE_MS = 2_000;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/i;

/** Whether `signature` is the hex HMAC-SHA256 of `body` under `secret`, compared in constant time. */
export function validSignature(body: Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature || !HEX_SIGNATURE.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
  res.end(JSON.stringify(body));
}

const REFUSED = {
  unsigned: { status: 401, reason: 'unsigned', level: 'debug' },
  forged: { status: 401, reason: 'bad_signature', why: 'a wrong signature: is LD_WEBHOOK_SECRET the same?' },
  unreadable: { status: 400, reason: 'not_an_audit_entry', why: 'signed, but not an audit-log entry' },
} as const satisfies Record<string, Refusal>;

/** The window in which a re-read of `now` falls: it runs at the window's end, once per flag or segment. */
export function mergedReadAt(now: number): number {
  return (Math.floor(now / WEBHOOK_MERGE_MS) + 1) * WEBHOOK_MERGE_MS;
}

/**
 * `POST /launchdarkly/webhook` (PRODUCT §7): a LaunchDarkly webhook whose body is an audit-log
 * entry, signed in `X-LD-Signature`. A missing or bad signature is a 401 and causes nothing; the
 * body is read under the budget and deadline shared with Slack's endpoint (`RequestBodies`). A good
 * one is answered 202 at once, and each flag or segment it names is re-read in watched environments
 * at the end of its merge window: entries about one flag within `WEBHOOK_MERGE_MS` share one durable
 * job (keyed by the flag and the window) and one re-read. An entry naming more than
 * `MAX_WEBHOOK_RESOURCES` is left to the audit-log sync and the full scan, never a burst of reads.
 * The sync stays the source of truth (LaunchDarkly delivers webhooks at most twice, in any order).
 */
export function launchDarklyWebhook(
  secret: string,
  deps: MirrorDeps & { work: Worker; now: () => Date; ldApprovalStore: LdApprovalStore },
  http: { bodies: RequestBodies; refusals: Refusals },
) {
  const refuse = (res: ServerResponse, refusal: Refusal) => http.refusals.refuse(res, WEBHOOK_PATH, refusal);
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
    const header = req.headers['x-ld-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    // Nothing unsigned is worth reading: refused from the headers, before a byte of the body is held.
    if (!signature || !HEX_SIGNATURE.test(signature)) return refuse(res, REFUSED.unsigned);
    const read = await http.bodies.read(req, MAX_WEBHOOK_BYTES);
    if ('refused' in read) return refuse(res, read.refused);
    if (!validSignature(read.body, signature, secret)) return refuse(res, REFUSED.forged);
    let json: unknown;
    try {
      json = JSON.parse(read.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = auditLogEntry.safeParse(json);
    if (!parsed.success) return refuse(res, REFUSED.unreadable);
    const entry = toAuditEntry(parsed.data);
    // A review or an apply of a request the bot follows: that request is read at its next pass.
    if (aboutApprovals(entry.actions) && entry.resources.length <= MAX_WEBHOOK_RESOURCES) {
      // Unwritten, the request is still read within a minute: the re-read below is queued anyway.
      await Promise.all(
        entry.resources.map((resource) => deps.ldApprovalStore.checkSoon(resource, deps.now().getTime())),
      ).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not note an approval entry'));
    }
    if (entry.resources.length > MAX_WEBHOOK_RESOURCES) {
      http.refusals.note(WEBHOOK_PATH, {
        status: 202,
        reason: 'too_many_resources',
        why: `an entry naming ${entry.resources.length} flags or segments: left to the audit-log sync and the full scan`,
        level: 'info',
      });
      return answer(res, 202, { ok: true, reread: 'by the next sync' });
    }
    const readAt = mergedReadAt(deps.now().getTime());
    // Full or failing, the sync reads the same entry within a minute: the answer is 202 either way.
    await Promise.all(
      entry.resources.map((resource) =>
        deps.work.submit(JOB_KINDS.webhook, `webhook:${resourceId(resource)}@${readAt}`, {
          entry: entry.id,
          actor: entry.actor,
          resources: [resource],
          readAt,
        }),
      ),
    ).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not queue a webhook re-read'));
    answer(res, 202, { ok: true });
  }
}

/** Re-reads what a webhook named; a LaunchDarkly failure is left to the next sync. */
export function webhookJob(deps: MirrorDeps & { now: () => Date }): JobKind {
  return {
    async run(job) {
      const p = jobPayload.parse(job.payload);
      // Waiting, not a failed try: entries still arriving in the window are read by this one read.
      const early = (p.readAt ?? 0) - deps.now().getTime();
      if (early > 0) return { waitMs: early };
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
