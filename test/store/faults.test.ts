import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { connect, DatabaseUnavailableError, type Db } from '../../src/store/database.js';
import { ExpiryStore, type NewExpiry } from '../../src/store/expiry-store.js';
import { freshDatabase } from '../helpers/databases.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Issue 18's database faults: a real PostgreSQL behind a TCP proxy we control, a real SQLite file. */

const NOW = Date.parse('2026-12-01T12:00:00Z');
const expiry = (key: string): NewExpiry => ({
  resource: { kind: 'flag', projectKey: 'default', key: 'new-checkout', environmentKey: 'production' },
  target: { contextKind: 'user', key },
  expiresAt: NOW + 86_400_000,
  variationId: 'v-on',
  variationName: 'on',
  requestedBy: 'U1',
  channelId: 'C1',
  messageTs: '1.1',
});

const keys = async (store: ExpiryStore) =>
  (await store.upcoming(NOW, { limit: 1_000, offset: 0 })).items.map((e) => e.target.key);

function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets: [], destination: { write: (l) => lines.push(l) } });
  return { logger, lines };
}

const elapsed = async (work: () => Promise<unknown>) => {
  const started = Date.now();
  const result = await work().then(
    () => 'ok',
    (e: unknown) => e,
  );
  return { result, ms: Date.now() - started };
};

// PostgreSQL runs where TEST_DATABASE_URL points (CI sets it); without it there is no server to proxy.
describe.skipIf(!process.env.TEST_DATABASE_URL)('PostgreSQL behind a proxy that fails', () => {
  const base = process.env.TEST_DATABASE_URL!;
  let proxy: TcpProxy;
  let schemaHandle: Db;
  let schemaUrl: string;
  let handle: Db | undefined;

  beforeAll(async () => {
    const target = new URL(base);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    // A schema of its own, made directly (not through the proxy); the bot's handle goes through the proxy.
    const { randomBytes } = await import('node:crypto');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${schema}`);
    url.hash = schema;
    schemaHandle = await freshDatabase(url.toString());
    schemaUrl = url.toString().split('#')[0]!;
  });
  afterEach(async () => {
    proxy.resume();
    await handle?.close();
    handle = undefined;
  });
  afterAll(async () => {
    await proxy.stop();
    await schemaHandle.close();
  });

  // A password the server (trust) ignores, to prove it never reaches a log line.
  const viaProxy = () => {
    const url = new URL(proxy.urlFor(schemaUrl));
    url.password = 'hunter2-not-logged';
    return url.toString();
  };

  it('a server that drops every connection does not end the process: one line each, no client object, the pool reconnects', async () => {
    const { logger, lines } = capturedLogger();
    handle = await connect(viaProxy(), { logger });
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy')], NOW);
    expect(proxy.connections).toBeGreaterThan(0);

    proxy.killConnections();
    await new Promise((r) => setTimeout(r, 200));
    // Still here (an unhandled 'error' would have failed this test run), and the next query reconnects.
    await store.upsert([expiry('bob')], NOW);
    expect((await keys(store)).sort()).toEqual(['bob', 'sandy']);
    const lost = lines.filter((l) => l.includes('connection was lost'));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      expect(line).not.toContain('hunter2');
      expect(line).not.toMatch(/secretKey|processID|_Promise|"client"|"connection"/);
    }
    expect(Object.keys(JSON.parse(lost[0]!)).sort()).toEqual(
      ['level', 'msg', 'time', ...(JSON.parse(lost[0]!).code ? ['code'] : []), 'message'].sort(),
    );
  });

  it('a connection ended by the server (pg_terminate_backend) is replaced, not fatal', async () => {
    const { logger, lines } = capturedLogger();
    handle = await connect(`${viaProxy()}&application_name=ld-expiry-bot-terminate-test`, { logger });
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy')], NOW);
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'ld-expiry-bot-terminate-test'`,
    );
    await admin.end();
    await new Promise((r) => setTimeout(r, 200));
    await store.upsert([expiry('bob')], NOW);
    expect((await keys(store)).sort()).toEqual(['bob', 'sandy']);
    expect(lines.join('')).toMatch(/57P01|terminat/);
  });

  it('a server that accepts connections but never answers fails the start within seconds, clearly', async () => {
    proxy.stall();
    const { result, ms } = await elapsed(() => connect(viaProxy(), { connectTimeoutMs: 1_000 }));
    expect(result).toBeInstanceOf(DatabaseUnavailableError);
    expect((result as Error).message).toMatch(/^The database (is unreachable|did not answer)/);
    expect((result as Error).message).not.toContain('hunter2');
    expect(ms).toBeLessThan(3_500);
  });

  it('a stall mid-run: statements fail on time, ping says unreachable; after it lifts, everything works again', async () => {
    handle = await connect(viaProxy(), { statementTimeoutMs: 300, connectTimeoutMs: 1_000 });
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy')], NOW);
    await handle.ping();

    proxy.stall();
    const write = await elapsed(() => store.upsert([expiry('bob')], NOW));
    expect(write.result).toBeInstanceOf(DatabaseUnavailableError);
    expect(write.ms).toBeLessThan(4_000);
    const ping = await elapsed(() => handle!.ping(500));
    expect(ping.result).toBeInstanceOf(DatabaseUnavailableError);
    expect(ping.ms).toBeLessThan(1_000);

    proxy.resume();
    // The stalled connection was dropped rather than handed to the next query.
    await handle.ping();
    await store.upsert([expiry('bob')], NOW);
    expect(await keys(store)).toHaveLength(2);
  });

  it('a statement the server runs too long is cancelled by the server', async () => {
    handle = await connect(viaProxy(), { statementTimeoutMs: 200 });
    const error = await sql`select pg_sleep(5)`.execute(handle.db).catch((e) => e);
    expect(error.code).toBe('57014'); // query_canceled
    await handle.ping();
  });
});

describe('SQLite on a real file that fails', () => {
  let handle: Db;
  afterEach(async () => {
    await handle?.close();
  });
  const file = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'ld-expiry-bot-faults-')), 'bot.sqlite')}`;

  it('a full database is a typed error on the write (not a crash), and writes work again once there is room', async () => {
    handle = await connect(file());
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy')], NOW);
    const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(handle.db)).rows[0]!
      .page_count;
    expect(pages).toBeGreaterThan(0);
    await sql.raw(`pragma max_page_count = ${pages}`).execute(handle.db);
    const many = Array.from({ length: 500 }, (_, i) => expiry(`user-${i}-${'x'.repeat(100)}`));
    const error = await store.upsert(many, NOW).catch((e) => e);
    expect(error.code).toBe('SQLITE_FULL');
    await handle.ping();
    expect(await keys(store)).toHaveLength(1);

    await sql.raw('pragma max_page_count = 1073741823').execute(handle.db);
    await store.upsert(many, NOW);
    expect(await keys(store)).toHaveLength(501);
  });

  it('a read-only database is a typed error on the write; reads still work', async () => {
    handle = await connect(file());
    const store = new ExpiryStore(handle.db);
    await store.upsert([expiry('sandy')], NOW);
    // As root (CI, containers) a chmod does not stop writes; the engine's own switch does.
    await sql.raw('pragma query_only = 1').execute(handle.db);
    const error = await store.upsert([expiry('bob')], NOW).catch((e) => e);
    expect(error.code).toBe('SQLITE_READONLY');
    expect(await keys(store)).toEqual(['sandy']);
    await handle.ping();
  });
});
