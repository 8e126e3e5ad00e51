import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Started {
  url: string;
  pid: number;
  /** From spawn to the first 200 on /healthz. */
  startupMs: number;
  /** CPU time (user + system) the process used until then: less at the mercy of a busy machine. */
  startupCpuMs: number;
  stop: () => Promise<void>;
}

/**
 * The command that runs Node with `args`, on one CPU when `cpu` is given (taskset), so the app
 * under test has a core to itself and the bot and the floor are measured alike.
 */
function pinned(cpu: number | undefined, args: string[]): [string, string[]] {
  if (cpu === undefined || !hasTaskset()) return [process.execPath, args];
  return ['taskset', ['-c', String(cpu), process.execPath, ...args]];
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V']).status === 0;
}

/** Moves the current process, every thread of it, to one CPU, when taskset is there. */
export function pinSelf(cpu: number): void {
  if (hasTaskset()) spawnSync('taskset', ['-apc', String(cpu), String(process.pid)]);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Compiles src/ to dist/ when it is out of date, as `npm start` does first. */
export function buildIfStale(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('the build failed');
}

/** Node's options in `npm start` (`exec node <options> dist/ld-expiry-bot.cjs`), so the bench runs what it runs. */
function startOptions(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const words: string[] = pkg.scripts.start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((w) => w.startsWith('--'));
}

/**
 * Starts an entry point as its own Node process (one process: its RSS is its own): compiled
 * JavaScript (`dist/…`) as `npm start` runs it, TypeScript through tsx's loader.
 */
export async function startProcess(
  entry: string,
  env: Record<string, string>,
  cpu?: number,
): Promise<Started> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    ...pinned(cpu, [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []),
      ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : startOptions()),
      entry,
    ]),
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', process.env.BENCH_TRACE_GC ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (performance.now() - started > 30_000) throw new Error(`${entry} did not start`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const startupMs = Math.round(performance.now() - started);
  return {
    url,
    pid: child.pid!,
    startupMs,
    startupCpuMs: await cpuMs(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface FakesProcess {
  pid: number;
  control: string;
  slackApiUrl: string;
  slackUrl: string;
  ldUrl: string;
  ldToken: string;
  stop: () => Promise<void>;
}

/** Starts bench/fakes-server.ts and reads the URLs it prints. */
export async function startFakes(cpu?: number): Promise<FakesProcess> {
  const child = spawn(...pinned(cpu, ['--import', 'tsx', 'bench/fakes-server.ts']), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(buffer.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`fakes exited with ${code}`)));
  });
  return {
    ...JSON.parse(line),
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
