import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../helpers/bot.js';
import { FakeLaunchDarkly } from '../helpers/fake-launchdarkly.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { PROJECT, seed } from '../helpers/ld-fixtures.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

/** Issue 18's faults seen from Slack: the real app, the fake Slack and LaunchDarkly over real HTTP. */

let slack: FakeSlack;
let ld: FakeLaunchDarkly;
let bot: Bot;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  ld = await new FakeLaunchDarkly().start();
  bot = await startBot(slack, ld);
});
afterAll(async () => {
  await bot.stop();
  await Promise.all([slack.stop(), ld.stop()]);
});
beforeEach(() => {
  ld.clear();
  seed(ld);
  slack.reset();
});
afterEach(() => {
  expect(ld.schemaViolations).toEqual([]);
  expect(slack.violations).toEqual([]);
});

const text = (m: { text?: string; blocks?: unknown[] }) =>
  `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;
const expire = (commandText: string) =>
  postSigned(bot.url, commandBody({ text: commandText, response_url: slack.responseUrl() }));

describe('a hung Slack', () => {
  it('eight chat.postMessage calls that never answer do not wedge the bot: later commands run, and the eight are told too', async () => {
    slack.fail({ method: 'chat.postMessage', hang: true, times: 8 });
    const users = Array.from({ length: 12 }, (_, i) => `hung-${i}`);
    ld.addFlag(PROJECT, { key: 'hung', targets: { production: [{ variation: 0, values: users }] } });
    for (const user of users.slice(0, 8))
      expect((await expire(`flag hung ${user} in 2 weeks`)).status).toBe(200);
    await slack.waitFor(() => slack.faulted.length === 8 || undefined);
    for (const user of users.slice(8))
      expect((await expire(`flag hung ${user} in 2 weeks`)).status).toBe(200);

    // Every person hears back (the hung posts were abandoned after their deadline and sent again)…
    await slack.waitFor(
      () => users.every((u) => slack.messages.some((m) => !m.ephemeral && text(m).includes(u))) || undefined,
      20_000,
    );
    // …and every change was applied exactly once.
    const keys = ld.expiringTargets('flag', PROJECT, 'hung', 'production').map((t) => t.contextKey);
    expect(keys.sort()).toEqual([...users].sort());
    const health = await fetch(`${bot.url}/healthz`);
    expect(health.status).toBe(200);
  }, 30_000);
});
