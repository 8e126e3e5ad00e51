import { currentWaitListener, type LdWait, reportingWaits } from './http.js';

interface Waiting<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
  /** Who hears about rate-limit waits for this caller (see `reportingWaits`). */
  listener: ((wait: LdWait) => void) | undefined;
}

export interface CoalescerOptions<In> {
  /** Whether `next` may go in the same request as `batch` (the first always goes); the rest wait for the next one. */
  fits?: (batch: readonly In[], next: In) => boolean;
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
      setImmediate(() => void this.flush(key));
    });
  }

  private async flush(key: string): Promise<void> {
    const line = this.lines.get(key)!;
    const fits = this.options.fits ?? (() => true);
    const batch: Array<Waiting<In, Out>> = [];
    const rest: Array<Waiting<In, Out>> = [];
    for (const waiting of line) {
      const inputs = batch.map((b) => b.input);
      if (batch.length === 0 || (rest.length === 0 && fits(inputs, waiting.input))) batch.push(waiting);
      else rest.push(waiting);
    }
    line.splice(0, line.length, ...rest);
    const listeners = batch.flatMap((b) => (b.listener ? [b.listener] : []));
    try {
      const outs = await reportingWaits(
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
      batch.forEach((b, i) => {
        const out = outs[i];
        if (out instanceof Error) b.reject(out);
        else b.resolve(out as Out);
      });
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
    if (line.length > 0) await this.flush(key);
    else this.lines.delete(key);
  }
}
