import { describe, expect, it, onTestFinished } from 'vitest';
import { checkDatabase, DATABASE_UNUSABLE, describeDatabase } from '../../src/preflight.js';
import { NewerSchemaError } from '../../src/store/migrate.js';
import { POSTGRES_READ_ONLY, SQLITE_READ_ONLY } from '../../src/store/write-probe.js';
import { DATABASES, freshDatabase, sqliteUrl } from '../helpers/databases.js';
import { makeReadOnly, readOnlyUnavailable } from '../helpers/read-only-file.js';

const FUTURE = '2099-01-01-001-from-a-newer-bot';

/** The URL the bot is given: without the test's schema marker. */
const botUrl = (url: string) => url.split('#')[0]!;

async function startCheck(url: string): Promise<string> {
  const check = await checkDatabase(botUrl(url));
  if (check.ok) {
    await check.value.close();
    throw new Error('the start check passed');
  }
  return check.problem;
}

describe.each(DATABASES)('the start check of the database, on %s', (name, databaseUrl) => {
  it('passes on a writable database, having written its probe row', async () => {
    const url = databaseUrl();
    const database = await freshDatabase(url);
    onTestFinished(() => database.close());
    const check = await checkDatabase(botUrl(url));
    expect(check.ok).toBe(true);
    if (check.ok) await check.value.close();
    const rows = await database.db.selectFrom('write_probe').selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  it('names the migration of a newer version of the bot, and what to do, not "corrupted migrations"', async () => {
    const url = databaseUrl();
    const database = await freshDatabase(url);
    onTestFinished(() => database.close());
    await database.db
      .insertInto('kysely_migration' as never)
      .values({ name: FUTURE, timestamp: new Date().toISOString() } as never)
      .execute();
    const problem = await startCheck(url);
    expect(problem).toBe(
      DATABASE_UNUSABLE(describeDatabase(botUrl(url)), new NewerSchemaError([FUTURE]).message),
    );
    expect(problem).toContain(`migrated by a newer version of ld-expiry-bot (migration ${FUTURE}`);
    expect(problem).toContain('run that version or a later one, or restore');
    expect(problem).not.toContain('corrupted');
  });

  it.runIf(name === 'postgres')(
    'says PostgreSQL takes only reads when its transactions are read-only',
    async () => {
      const url = databaseUrl();
      const database = await freshDatabase(url);
      onTestFinished(() => database.close());
      // As on a standby, or with default_transaction_read_only set for the bot's role.
      const readOnly = new URL(botUrl(url));
      readOnly.searchParams.set(
        'options',
        `${readOnly.searchParams.get('options')} -c default_transaction_read_only=on`,
      );
      expect(await startCheck(readOnly.toString())).toBe(
        DATABASE_UNUSABLE(describeDatabase(readOnly.toString()), POSTGRES_READ_ONLY),
      );
    },
  );
});

// Skipped only where no file can be made read-only for root (see read-only-file.ts).
describe.skipIf(readOnlyUnavailable)('the start check of a read-only SQLite file', () => {
  it('says the file is read-only', async () => {
    const url = sqliteUrl();
    await (await freshDatabase(url)).close();
    onTestFinished(makeReadOnly(url.replace(/^sqlite:/, '')));
    expect(await startCheck(url)).toBe(DATABASE_UNUSABLE(describeDatabase(url), SQLITE_READ_ONLY));
  });
});
