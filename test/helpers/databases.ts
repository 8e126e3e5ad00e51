import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect, type Db } from '../../src/store/database.js';

/** A new, empty SQLite file, for a test that needs no PostgreSQL run. */
export const sqliteUrl = () =>
  `sqlite:${join(mkdtempSync(join(tmpdir(), 'ld-expiry-bot-db-')), 'test.sqlite')}`;

/**
 * The databases a store test runs against: SQLite always, PostgreSQL when TEST_DATABASE_URL is set
 * (CI sets it; a connection failure then fails the test rather than skipping it).
 */
export const DATABASES: Array<[name: string, url: () => string]> = [
  ['sqlite', sqliteUrl],
  ...(process.env.TEST_DATABASE_URL
    ? [['postgres', () => postgresSchemaUrl(process.env.TEST_DATABASE_URL!)] as [string, () => string]]
    : []),
];

/**
 * A URL for a new, empty schema in the test PostgreSQL database, so test files running in
 * parallel never see each other's rows.
 */
function postgresSchemaUrl(base: string): string {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.hash = schema;
  return url.toString();
}

/** A migrated database (its schema created first on PostgreSQL); closing drops that schema. */
export async function freshDatabase(url: string): Promise<Db> {
  if (!url.startsWith('postgres')) return connect(url);
  const schema = new URL(url).hash.slice(1);
  const admin = new pg.Client({ connectionString: url.split('?')[0] });
  await admin.connect();
  await admin.query(`create schema if not exists ${schema}`);
  await admin.end();
  const handle = await connect(url.split('#')[0]!);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: url.split('?')[0] });
      await cleanup.connect();
      await cleanup.query(`drop schema if exists ${schema} cascade`);
      await cleanup.end();
    },
  };
}
