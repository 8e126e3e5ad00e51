import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { Logger } from '../log.js';

/** How often the thread copies the write-ahead log into the database file. */
export const CHECKPOINT_EVERY_MS = 1_000;
/** SQLite's own default: checkpoint from the writing connection once the log holds this many pages. */
const AUTOCHECKPOINT_PAGES = 1_000;

/**
 * The thread's code, a few lines of CommonJS: its own connection to the same file, a PASSIVE
 * checkpoint every `everyMs` (it never blocks the writers), and a goodbye when asked.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const tick = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (error) { parentPort.postMessage({ problem: String(error && error.message) }); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(tick); db.close(); parentPort.close(); });
parentPort.postMessage({ ready: true });
`;

export interface Checkpoints {
  stop(): Promise<void>;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop. better-sqlite3 is synchronous, and the
 * checkpoint the writing connection runs every ~1,000 pages stalls the loop for 2–13 ms — every
 * ack in flight waits for it (bench `ack`). Here the writing connection never checkpoints; a
 * thread with a connection of its own does, every second. Should the thread fail to start or
 * die, the connection checkpoints itself again, as SQLite does by default.
 */
export async function checkpointInBackground(
  sqlite: SQLite.Database,
  logger: Logger | undefined,
  everyMs = CHECKPOINT_EVERY_MS,
): Promise<Checkpoints> {
  const ownCheckpoints = () => sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  let thread: Worker;
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    thread = new Worker(THREAD, { eval: true, workerData: { driver, path: sqlite.name, everyMs } });
    thread.unref();
    await new Promise<void>((resolve, reject) => {
      thread.once('message', () => resolve());
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`the checkpoint thread exited with ${code}`)));
    });
  } catch (error) {
    logger?.warn({ err: error }, 'SQLite checkpoints stay on the main thread');
    return { stop: async () => undefined };
  }
  sqlite.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  thread.on('message', (message: { problem?: string }) => {
    if (message.problem) logger?.warn({ problem: message.problem }, 'a SQLite checkpoint failed');
  });
  thread.on('error', (error) => logger?.warn({ err: error }, 'the SQLite checkpoint thread failed'));
  thread.on('exit', () => {
    if (stopping) return;
    ownCheckpoints();
    logger?.warn('the SQLite checkpoint thread stopped; checkpoints are back on the main thread');
  });
  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.ref(); // the process waits for the goodbye rather than ending in the middle of it
      thread.postMessage('stop');
      await exited;
      if (sqlite.open) ownCheckpoints();
    },
  };
}
