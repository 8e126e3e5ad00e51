import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { Logger } from '../log.js';

/** SQLite's own default: checkpoint from the writing connection once the log holds this many pages. */
const AUTOCHECKPOINT_PAGES = 1_000;

export interface CheckpointOptions {
  /** How often the thread copies the write-ahead log into the database file. */
  everyMs?: number;
  /** The thread starts once the log is this large: a start-up's writes or a quiet day never start it. */
  startAtBytes?: number;
  /** Checks with nothing new in the log after which the thread ends (it starts again when needed). */
  idleChecks?: number;
}

/**
 * The thread's code, a few lines of CommonJS: its own connection to the same file, a PASSIVE
 * checkpoint every `everyMs` (it never blocks the writers), and an end when the log has been
 * quiet for `idleChecks` checks or when asked.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let quiet = 0;
let last = -1;
const end = () => { clearInterval(tick); db.close(); parentPort.close(); };
const tick = setInterval(() => {
  try {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    quiet = log === last && checkpointed === log ? quiet + 1 : 0;
    last = log;
    if (quiet >= workerData.idleChecks) end();
  } catch (error) {
    parentPort.postMessage({ problem: String(error && error.message) });
  }
}, workerData.everyMs);
parentPort.on('message', end);
parentPort.postMessage({ ready: true });
`;

/**
 * Moves SQLite's WAL checkpoints off the event loop while the bot writes a lot. better-sqlite3 is
 * synchronous, and the checkpoint the writing connection runs every ~1,000 pages stalls the loop
 * for 2–13 ms — every ack in flight waits for it (bench `ack`). Once the log has grown past
 * `startAtBytes`, a thread with a connection of its own checkpoints every second and the writing
 * connection stops; after a quiet spell the thread ends (its ~9 MiB with it) and SQLite's own
 * checkpoints are back, as they are whenever the thread cannot run.
 */
export class BackgroundCheckpoints {
  private thread?: Worker;
  private starting = false;
  private stopped = false;
  /** The thread failed: checkpoints stay where SQLite keeps them, for good. */
  private failed = false;
  private writes = 0;
  /** Where the thread loads SQLite's driver from: found now, so a bundle that cannot says so at start. */
  private readonly driver?: string;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly logger: Logger | undefined,
    private readonly options: CheckpointOptions = {},
  ) {
    try {
      this.driver = createRequire(import.meta.url).resolve('better-sqlite3');
    } catch (error) {
      this.gaveUp(error);
    }
  }

  /** Hears of a write: every 32nd looks at the log's size (one stat) and starts the thread if due. */
  wrote(): void {
    if (this.thread || this.starting || this.failed || this.stopped || ++this.writes % 32 !== 0) return;
    let size: number;
    try {
      size = statSync(`${this.sqlite.name}-wal`).size;
    } catch {
      return; // no log (yet): nothing to move
    }
    if (size >= (this.options.startAtBytes ?? 4 * 1024 * 1024)) void this.start();
  }

  async start(): Promise<void> {
    if (this.thread || this.starting || this.failed || this.stopped) return;
    this.starting = true;
    try {
      const thread = new Worker(THREAD, {
        eval: true,
        workerData: {
          driver: this.driver,
          path: this.sqlite.name,
          everyMs: this.options.everyMs ?? 1_000,
          idleChecks: this.options.idleChecks ?? 60,
        },
      });
      thread.unref();
      await new Promise<void>((resolve, reject) => {
        thread.once('message', () => resolve());
        thread.once('error', reject);
        thread.once('exit', (code) => reject(new Error(`the checkpoint thread exited with ${code}`)));
      });
      this.adopt(thread);
    } catch (error) {
      this.gaveUp(error);
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const thread = this.thread;
    if (!thread) return;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    thread.ref(); // the process waits for the thread's end rather than ending in the middle of it
    thread.postMessage('stop');
    await exited;
  }

  private gaveUp(error: unknown): void {
    this.failed = true;
    this.logger?.warn({ err: error }, 'SQLite checkpoints stay on the main thread');
  }

  private adopt(thread: Worker): void {
    this.thread = thread;
    this.sqlite.pragma('wal_autocheckpoint = 0');
    thread.on('message', (message: { problem?: string }) => {
      if (message.problem) this.logger?.warn({ problem: message.problem }, 'a SQLite checkpoint failed');
    });
    thread.on('error', (error) => {
      this.failed = true;
      this.logger?.warn(
        { err: error },
        'the SQLite checkpoint thread failed; checkpoints are back on the main thread',
      );
    });
    thread.on('exit', () => {
      this.thread = undefined;
      if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    });
  }
}
