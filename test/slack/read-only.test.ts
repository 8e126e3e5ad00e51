import { describe, expect, it, onTestFinished } from 'vitest';
import { TAKE_ON_READ_ONLY } from '../../src/slack/announce.js';
import { connect, openDatabase } from '../../src/store/database.js';
import { SQLITE_READ_ONLY } from '../../src/store/write-probe.js';
import { startBot } from '../helpers/bot.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { makeReadOnly, readOnlyUnavailable } from '../helpers/read-only-file.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

const fakes = fakesPerFile();
const { slack, ld } = fakes;
// Fakes reseeded and checked for violations around each test; the bot is started by the test.
botPerTest(fakes, { databaseUrl: sqliteUrl, startEach: false, clock: 'wall' });

/**
 * The bot on a real SQLite file that cannot be written, opened as the bot opened it before it
 * probed writes at start (the start check now refuses it: test/main.test.ts): what /readyz and a
 * person see when the file turns read-only under a running bot.
 */
async function botOnReadOnlyFile() {
  const url = sqliteUrl();
  await (await connect(url)).close(); // migrated while writable
  onTestFinished(makeReadOnly(url.replace(/^sqlite:/, '')));
  const database = openDatabase(url);
  const bot = await startBot(slack, ld, {}, { database });
  onTestFinished(async () => {
    await bot.stop();
    await database.close();
  });
  slack.reset();
  return bot;
}

// Skipped only where no file can be made read-only for root (see read-only-file.ts).
describe.skipIf(readOnlyUnavailable)('a read-only SQLite file', () => {
  it('/readyz answers 503 saying the file is read-only', async () => {
    const bot = await botOnReadOnlyFile();
    const res = await fetch(`${bot.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, database: SQLITE_READ_ONLY, slack: 'ok' });
  });

  it('a change is refused in words saying so, nothing sent to LaunchDarkly, and the bot keeps answering', async () => {
    const bot = await botOnReadOnlyFile();
    const res = await postSigned(
      bot.url,
      commandBody({ text: 'flag new-checkout sandy in 2 weeks', response_url: slack.responseUrl() }),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_type: 'ephemeral', text: TAKE_ON_READ_ONLY(SQLITE_READ_ONLY) });
    expect(ld.patches()).toEqual([]);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    const help = await postSigned(bot.url, commandBody({ text: 'help' }));
    expect(help.json().response_type).toBe('ephemeral');
  });
});
