import { setImmediate as nextTurn } from 'node:timers/promises';
import { currentWaitListener, type LdWait, reportingWaits } from './http.js';

interface Waiting<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
  /** Who hears about rate-limit waits for this caller (see `reportingWaits`). */
  listener: ((wait: LdWait) => void) | undefined;
}

export interface CoalescerOptions<In> {
  /**
   * Called once per request being put together: says of each next input, in the order asked,
   * whether it may go too (the first always goes). From the first refused on, all wait for the next.
   */
  admit?: () => (next: In) => boolean;
}

/**
 * Requests for one key (a flag, a segment) that arrive while one is in flight wait for it to end,
 * then go together as one: `send` gets them all and answers each, with a value or an Error. A
 * queue of changes to one flag then costs a request per round trip instead of one per change.
 * Hand-written: DataLoader batches what arrives within one turn of the event loop, not what
 * arrives during a round trip.
 */
export class Coalescer<In, Out> {
  private readonly lines = new Map<string, Array<Waiting<In, Out>>>();

  constructor(
    private readonly send: (inputs: In[]) => Promise<Array<Out | Error>>,
    private readonly options: CoalescerOptions<In> = {},
  ) {}

  run(key: string, input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const waiting = { input, resolve, reject, listener: currentWaitListener() };
      const line = this.lines.get(key);
      if (line) {
        line.push(waiting);
        return;
      }
      this.lines.set(key, [waiting]);
      // Whatever else is asked in this turn of the event loop goes along.
      setImmediate(() => this.next(key));
    });
  }

  /** Sends the next request for `key`; a bug in putting it together fails its callers, not the process. */
  private next(key: string): void {
    this.flush(key).catch((error: unknown) => {
      for (const waiting of this.lines.get(key) ?? []) waiting.reject(error);
      this.lines.delete(key);
    });
  }

  private async flush(key: string): Promise<void> {
    const line = this.lines.get(key)!;
    const accepts = this.options.admit?.();
    const batch: Array<Waiting<In, Out>> = [];
    const rest: Array<Waiting<In, Out>> = [];
    for (const waiting of line) {
      // The first goes whatever the rule says, but the rule hears of it too.
      const admitted = rest.length === 0 && (accepts?.(waiting.input) ?? true);
      if (admitted || batch.length === 0) {
        batch.push(waiting);
      } else {
        rest.push(waiting);
      }
    }
    line.splice(0, line.length, ...rest);
    const listeners = batch.flatMap((b) => (b.listener ? [b.listener] : []));
    let answers: Array<Out | Error> | { error: unknown };
    try {
      answers = await reportingWaits(
        (wait) => {
          let failed: unknown;
          for (const listener of listeners) {
            try {
              listener(wait);
            } catch (error) {
              failed ??= error;
            }
          }
          if (failed) throw failed;
        },
        () => this.send(batch.map((b) => b.input)),
      );
    } catch (error) {
      answers = { error };
    }
    // What was asked meanwhile goes now, while the answers are handed out.
    if (line.length > 0) this.next(key);
    else this.lines.delete(key);
    // One caller's answer per turn of the event loop: a hundred callers going on at once would
    // hold the loop, and the acks waiting on it, for the sum of their work.
    for (const [i, b] of batch.entries()) {
      if (i > 0) await nextTurn();
      const out = Array.isArray(answers) ? answers[i] : answers.error;
      if (out instanceof Error || !Array.isArray(answers)) b.reject(out);
      else b.resolve(out as Out);
    }
  }
}
