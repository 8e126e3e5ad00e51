import type { IncomingMessage } from 'node:http';
import type { Refusal } from './refusals.js';

/**
 * The most body bytes held at once across every unsigned route (Slack's endpoint, the LaunchDarkly
 * webhook, any route added later): a flood costs at most this much memory, whatever its size.
 */
export const BODY_BUDGET = 16 * 1024 * 1024;
/**
 * How long a body may take to arrive, from the moment its headers are in. Slack waits 3 s for the
 * whole exchange and sends a command or an interaction of a few kilobytes in one go; LaunchDarkly
 * sends an audit-log entry of a few kilobytes at once. 5 s leaves a slow network its margin and
 * turns a client dripping bytes away long before Node's own limits would.
 */
export const BODY_DEADLINE_MS = 5_000;

/** Why a body was not read; `status` is what the client is answered (if it still listens). */
export const BODY_REFUSALS = {
  tooLarge: { status: 413, reason: 'too_large' },
  tooSlow: { status: 408, reason: 'too_slow', why: 'the body did not arrive in time' },
  busy: { status: 503, reason: 'busy', why: 'the body budget is in use by other requests' },
  aborted: { status: 400, reason: 'aborted', why: 'the client went away', level: 'debug' },
} as const satisfies Record<string, Refusal>;

export type BodyOutcome = { body: Buffer } | { refused: Refusal };

/**
 * Reads request bodies under one shared byte budget and one deadline. What a body holds against
 * the budget is what has arrived, chunk by chunk, not what its `Content-Length` promises: a client
 * that declares a megabyte and drips sixteen bytes holds sixteen bytes, and is cut off at the
 * deadline. A chunk that would take the total over the budget ends its request with 503, so memory
 * stays bounded while small bodies that arrive at once still pass.
 */
export class RequestBodies {
  private heldBytes = 0;
  private readonly budget: number;
  private readonly deadlineMs: number;

  constructor(options: { budget?: number; deadlineMs?: number } = {}) {
    this.budget = options.budget ?? BODY_BUDGET;
    this.deadlineMs = options.deadlineMs ?? BODY_DEADLINE_MS;
  }

  /** Bytes of bodies being read right now, on every route. */
  get held(): number {
    return this.heldBytes;
  }

  /** `req`'s whole body, or why not: over `limit` (declared or arrived), the budget, the deadline. */
  read(req: IncomingMessage, limit: number): Promise<BodyOutcome> {
    if (Number(req.headers['content-length']) > limit) {
      return Promise.resolve({ refused: BODY_REFUSALS.tooLarge });
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (outcome: BodyOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        this.heldBytes -= size;
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAborted);
        req.off('close', onAborted);
        // Refused, what is still on its way stays in the kernel (Node stops reading the socket once
        // the paused request's small buffer is full) until the refusal goes out with
        // `Connection: close` and Node closes the socket: no memory for bytes nobody will read.
        if ('refused' in outcome) req.pause();
        resolve(outcome);
      };
      const onData = (chunk: Buffer) => {
        if (size + chunk.length > limit) return finish({ refused: BODY_REFUSALS.tooLarge });
        if (this.heldBytes + chunk.length > this.budget) return finish({ refused: BODY_REFUSALS.busy });
        size += chunk.length;
        this.heldBytes += chunk.length;
        chunks.push(chunk);
      };
      const onEnd = () => finish({ body: Buffer.concat(chunks, size) });
      const onAborted = () => finish({ refused: BODY_REFUSALS.aborted });
      const deadline = setTimeout(() => finish({ refused: BODY_REFUSALS.tooSlow }), this.deadlineMs);
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('error', onAborted);
      req.once('close', onAborted);
    });
  }
}
