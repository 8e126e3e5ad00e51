import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CommandFields, commandBody, postSigned } from './slack-requests.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** tsx as a loader of this very process (not tsx's CLI, whose own child a SIGKILL would miss). */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The real bot (`src/main.ts`) as a child process: what a kill really kills. */
export interface BotProcess {
  url: string;
  pid: number;
  /** Everything it printed (its log lines, JSON). */
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** A signed `/expire <text>`; its acknowledgement (or the refusal when the bot is down). */
  command: (text: string, fields?: Partial<CommandFields>) => ReturnType<typeof postSigned>;
  kill: (signal: NodeJS.Signals) => void;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Starts `node --import tsx src/main.ts` in an empty folder (no .env) with only `env` (PORT is
 * chosen here) and resolves once /healthz answers 200.
 */
export async function startBotProcess(
  env: Record<string, string>,
  options: { startTimeoutMs?: number } = {},
): Promise<BotProcess> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: mkdtempSync(join(tmpdir(), 'ld-expiry-bot-proc-')),
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the bot exited while starting:\n${output}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the bot did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    exited,
    command: (text, fields = {}) => postSigned(url, commandBody({ ...fields, text })),
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
