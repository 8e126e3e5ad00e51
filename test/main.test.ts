import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLaunchDarkly } from './helpers/fake-launchdarkly.js';
import { FAKE_BOT_TOKEN, FakeSlack } from './helpers/fake-slack.js';
import { commandBody, postSigned, SIGNING_SECRET } from './helpers/slack-requests.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MAIN = join(ROOT, 'src/main.ts');

/** Runs `src/main.ts` as `npm start` does, in an empty folder (no .env), with only `env`. */
function runMain(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  let output = '';
  const child = spawn(TSX, [MAIN], {
    cwd: mkdtempSync(join(tmpdir(), 'ld-expiry-bot-')),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('npm start', () => {
  it('without variables exits non-zero, listing each missing one, with no stack trace', async () => {
    const run = runMain({});
    expect(await run.exit).toBe(1);
    const out = run.output();
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'LD_ACCESS_TOKEN',
      'LD_PROJECT',
      'LD_ENVIRONMENT',
    ]) {
      expect(out).toContain(name);
    }
    expect(out).not.toMatch(/\n\s+at /);
  });

  describe('with variables', () => {
    let slack: FakeSlack;
    let ld: FakeLaunchDarkly;
    beforeAll(async () => {
      slack = await new FakeSlack().start();
      ld = await new FakeLaunchDarkly().start();
    });
    afterAll(async () => {
      await Promise.all([slack.stop(), ld.stop()]);
    });

    it('starts, answers /healthz and a signed /expire help, and stops cleanly on SIGTERM', async () => {
      const port = await freePort();
      const run = runMain({
        SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        LD_ACCESS_TOKEN: ld.token,
        LD_BASE_URI: ld.url,
        LD_PROJECT: 'default',
        LD_ENVIRONMENT: 'production',
        LOG_LEVEL: 'debug',
      });
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 12_000;
      for (;;) {
        const ok = await fetch(`${url}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`bot did not start:\n${run.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await postSigned(url, commandBody({ text: 'help' }));
      expect(res.status).toBe(200);
      expect(res.json().response_type).toBe('ephemeral');

      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      const out = run.output();
      expect(out).toContain('ld-expiry-bot is running');
      for (const secret of [FAKE_BOT_TOKEN, SIGNING_SECRET, ld.token]) expect(out).not.toContain(secret);
    }, 20_000);

    it('a database server that accepts connections but never answers stops the start within seconds, saying so', async () => {
      const sockets: Socket[] = [];
      const silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const { port: dbPort } = silent.address() as { port: number };
      const started = Date.now();
      const run = runMain({
        SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(await freePort()),
        LD_ACCESS_TOKEN: ld.token,
        LD_BASE_URI: ld.url,
        LD_PROJECT: 'default',
        LD_ENVIRONMENT: 'production',
        DATABASE_URL: `postgres://postgres:hunter2-db-password@127.0.0.1:${dbPort}/test`,
      });
      try {
        expect(await run.exit).toBe(1);
        // tsx's own start takes seconds on a busy machine; without a deadline this never ends at all.
        expect(Date.now() - started).toBeLessThan(45_000);
        const out = run.output();
        expect(out).toMatch(/ld-expiry-bot stopped: The database (is unreachable|did not answer)/);
        expect(out).not.toContain('hunter2');
        expect(out).not.toMatch(/\n\s+at /);
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    }, 60_000);
  });
});
