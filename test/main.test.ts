import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  DATABASE_UNUSABLE,
  LD_REJECTED,
  LD_UNREACHABLE,
  SLACK_APP_TOKEN_REJECTED,
  SLACK_REJECTED,
  SLACK_UNREACHABLE,
} from '../src/preflight.js';
import { connect, type Db } from '../src/store/database.js';
import { NewerSchemaError } from '../src/store/migrate.js';
import { SQLITE_READ_ONLY } from '../src/store/write-probe.js';
import { fakesPerFile } from './helpers/bot-per-test.js';
import { FAKE_BOT_TOKEN } from './helpers/fake-slack.js';
import { PROJECT, seed } from './helpers/ld-fixtures.js';
import { makeReadOnly, readOnlyUnavailable } from './helpers/read-only-file.js';
import { commandBody, postSigned, SIGNING_SECRET } from './helpers/slack-requests.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist/ld-expiry-bot.cjs');

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Spawns `command` with only `env` (and PATH, HOME), collecting its output. */
function run(command: string, args: string[], env: Record<string, string>, cwd: string): Run {
  let output = '';
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
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

/** Each case starts a real Node process that loads Bolt and the rest: seconds on a busy 2-core machine. */
const PROCESS_TIMEOUT_MS = 60_000;

const tempDir = () => mkdtempSync(join(tmpdir(), 'ld-expiry-bot-'));

/** The compiled bot, as `npm start` runs it, in an empty folder (no .env). */
const runMain = (env: Record<string, string>) => run(process.execPath, [MAIN], env, tempDir());

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForHealthz(url: string, started: Run): Promise<void> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`bot did not start:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  // What `npm start` does first; a no-op when dist/ is up to date.
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 300_000); // tsc and esbuild on a busy 2-core machine

describe('npm start', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('without variables exits non-zero, listing each missing one, with no stack trace', async () => {
    const started = runMain({});
    expect(await started.exit).toBe(1);
    const out = started.output();
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

  describe('with variables', { timeout: PROCESS_TIMEOUT_MS }, () => {
    const { slack, ld } = fakesPerFile();

    const env = (overrides: Record<string, string> = {}) => ({
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      LD_ACCESS_TOKEN: ld.token,
      LD_BASE_URI: ld.url,
      LD_PROJECT: 'default',
      LD_ENVIRONMENT: 'production',
      DATABASE_URL: `sqlite:${join(tempDir(), 'bot.sqlite')}`,
      LOG_LEVEL: 'debug',
      ...overrides,
    });

    /** Starts the bot with `overrides`; expects exit 1 and returns its output. */
    async function failsToStart(overrides: Record<string, string>): Promise<string> {
      const started = runMain(env({ PORT: String(await freePort()), ...overrides }));
      expect(await started.exit).toBe(1);
      const out = started.output();
      expect(out).toContain('ld-expiry-bot cannot start:');
      expect(out).not.toContain('ld-expiry-bot is running');
      expect(out).not.toMatch(/\n\s+at /);
      for (const secret of [FAKE_BOT_TOKEN, SIGNING_SECRET, ld.token, ...Object.values(overrides)]) {
        if (/xoxb-|api-|secret/.test(secret)) expect(out).not.toContain(secret);
      }
      return out;
    }

    it('exits 1 naming the Slack token when Slack refuses it', async () => {
      const out = await failsToStart({ SLACK_BOT_TOKEN: 'xoxb-revoked-0000000000' });
      expect(out).toContain(SLACK_REJECTED('invalid_auth'));
      expect(out.match(/^ {2}- /gm)).toHaveLength(1); // nothing else is blamed
    });

    it('exits 1 when Slack cannot be reached', async () => {
      const url = `http://127.0.0.1:${await freePort()}/api/`;
      const out = await failsToStart({ SLACK_API_URL: url });
      expect(out).toContain(SLACK_UNREACHABLE(url, 'ECONNREFUSED'));
    });

    it('exits 1 naming the LaunchDarkly token when LaunchDarkly refuses it', async () => {
      const out = await failsToStart({ LD_ACCESS_TOKEN: 'api-wrong-0123456789' });
      expect(out).toContain(LD_REJECTED(401));
    });

    it('exits 1 when LaunchDarkly cannot be reached', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const out = await failsToStart({ LD_BASE_URI: url });
      expect(out).toContain(LD_UNREACHABLE(url, 'ECONNREFUSED'));
    });

    it('exits 1 naming the database when it cannot be opened', async () => {
      const notAFolder = join(tempDir(), 'file');
      writeFileSync(notAFolder, '');
      const out = await failsToStart({ DATABASE_URL: `sqlite:${notAFolder}/bot.sqlite` });
      expect(out).toContain(DATABASE_UNUSABLE(`SQLite file ${notAFolder}/bot.sqlite`, '').slice(0, -3));
      expect(out).toMatch(/EEXIST|ENOTDIR/);
    });

    it('exits 1 when PostgreSQL cannot be reached, never printing its password', async () => {
      const port = await freePort();
      const out = await failsToStart({
        DATABASE_URL: `postgres://bot:secret-db-password-123@127.0.0.1:${port}/expiry`,
      });
      expect(out).toContain(DATABASE_UNUSABLE(`PostgreSQL at 127.0.0.1:${port}/expiry`, '').slice(0, -3));
      expect(out).not.toContain('secret-db-password-123');
    });

    /** A migrated SQLite file, closed, for a test to change before the bot starts on it. */
    async function migratedFile(): Promise<{ path: string; database: Db }> {
      const path = join(tempDir(), 'bot.sqlite');
      return { path, database: await connect(`sqlite:${path}`) };
    }

    // Skipped only where no file can be made read-only for root (see helpers/read-only-file.ts).
    it.skipIf(readOnlyUnavailable)('exits 1 saying the SQLite file is read-only', async () => {
      const { path, database } = await migratedFile();
      await database.close();
      onTestFinished(makeReadOnly(path));
      const out = await failsToStart({ DATABASE_URL: `sqlite:${path}` });
      expect(out).toContain(DATABASE_UNUSABLE(`SQLite file ${path}`, SQLITE_READ_ONLY));
      expect(out.match(/^ {2}- /gm)).toHaveLength(1);
    });

    it('exits 1 naming the migration when a newer version of the bot migrated the database', async () => {
      const { path, database } = await migratedFile();
      const newer = '2099-01-01-001-from-a-newer-bot';
      await sql`insert into kysely_migration (name, timestamp) values (${newer}, ${new Date().toISOString()})`.execute(
        database.db,
      );
      await database.close();
      const out = await failsToStart({ DATABASE_URL: `sqlite:${path}` });
      expect(out).toContain(DATABASE_UNUSABLE(`SQLite file ${path}`, new NewerSchemaError([newer]).message));
      expect(out).not.toContain('corrupted');
    });

    it('exits 1 naming SLACK_APP_TOKEN when Slack refuses it in Socket Mode', async () => {
      const appToken = 'xapp-1-revoked-0000000000';
      const out = await failsToStart({ SLACK_APP_TOKEN: appToken, SLACK_SIGNING_SECRET: '' });
      expect(out).toContain(SLACK_APP_TOKEN_REJECTED('invalid_auth'));
      expect(out.match(/^ {2}- /gm)).toHaveLength(1);
      expect(out).not.toContain(appToken);
      expect(slack.callsTo('apps.connections.open').at(-1)?.response).toEqual({
        ok: false,
        error: 'invalid_auth',
      });
    });

    it('starts, answers /healthz, /readyz, /metrics, a signed /expire help and a change, and stops cleanly on SIGTERM', async () => {
      seed(ld);
      const port = await freePort();
      // Not about protected environments: production applies at once.
      const started = runMain(env({ PORT: String(port), PROTECTED_ENVIRONMENTS: 'locked' }));
      const url = `http://127.0.0.1:${port}`;
      await waitForHealthz(url, started);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const res = await postSigned(url, commandBody({ text: 'help' }));
      expect(res.status).toBe(200);
      expect(res.json().response_type).toBe('ephemeral');
      // A change end to end through the built bundle: LaunchDarkly, the store, Slack, the metrics.
      await postSigned(url, commandBody({ text: 'flag new-checkout sandy in 2 weeks' }));
      await slack
        .waitFor(() => slack.messages.find((m) => m.channel === 'C1' && !m.ephemeral), 20_000)
        .catch((error) => {
          throw new Error(`${error.message}\n${started.output()}\n${JSON.stringify(slack.calls)}`);
        });
      expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('ld_expiry_bot_changes_total{verb="add",outcome="ok"} 1');

      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
      const out = started.output();
      expect(out).toContain('ld-expiry-bot is running');
      expect(out).toContain('"msg":"stopped"');
      // The bundle found SQLite's driver for its checkpoint thread, run from another folder.
      expect(out).not.toContain('checkpoints stay on the main thread');
      for (const secret of [FAKE_BOT_TOKEN, SIGNING_SECRET, ld.token]) expect(out).not.toContain(secret);
    });

    it('`npm start` runs the compiled bot, and a SIGTERM to npm stops the bot gracefully', async () => {
      const port = await freePort();
      // npm runs the scripts of the package in ROOT; the variables given win over any .env there.
      const started = run('npm', ['start', '--silent'], env({ PORT: String(port) }), ROOT);
      const url = `http://127.0.0.1:${port}`;
      await waitForHealthz(url, started);
      // The process listening is node on the built bundle, not tsx; find it among npm's children.
      const children = spawnSync('pgrep', ['-P', String(started.child.pid)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
      expect(children).toHaveLength(1);
      const bot = children[0]!;
      const cmdline = spawnSync('ps', ['-o', 'args=', '-p', String(bot)], { encoding: 'utf8' }).stdout;
      expect(cmdline.trim()).toMatch(/^node( --\S+)* dist\/ld-expiry-bot\.cjs$/);

      started.child.kill('SIGTERM'); // to npm, as a process manager does
      expect(await started.exit).toBe(0);
      const out = started.output();
      expect(out).toContain('"signal":"SIGTERM","msg":"stopping"');
      expect(out).toContain('"msg":"stopped"');
      expect(alive(bot)).toBe(false);
      const stillListening = await fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      );
      expect(stillListening).toBe(false);
    });
  });
});
