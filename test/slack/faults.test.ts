import { describe, expect, it } from 'vitest';
import { TARGET_PROBLEMS } from '../../src/domain/targets.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { commandBody, postSigned, SIGNING_SECRET, slackSignature } from '../helpers/slack-requests.js';

/** Issue 18's faults seen from Slack: the real app, the fake Slack and LaunchDarkly over real HTTP. */

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });

const text = (m: { text?: string; blocks?: unknown[] }) =>
  `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;
const expire = (commandText: string) =>
  postSigned(ctx.bot.url, commandBody({ text: commandText, response_url: slack.responseUrl() }));

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
    const health = await fetch(`${ctx.bot.url}/healthz`);
    expect(health.status).toBe(200);
  }, 30_000);
});

describe('malformed but signed requests', () => {
  const form = (payload: string) => `payload=${encodeURIComponent(payload)}`;
  const cases: Array<[string, string, Record<string, string>?]> = [
    ['payload=null', form('null')],
    [
      'a view_submission without a view',
      form(JSON.stringify({ type: 'view_submission', user: { id: 'U1' } })),
    ],
    ['block_actions without actions', form(JSON.stringify({ type: 'block_actions', user: { id: 'U1' } }))],
    ['a payload that is not JSON', 'payload=%7Bnot-json'],
    ['a JSON body that is null', 'null', { 'Content-Type': 'application/json' }],
    ['a command field given twice', `${commandBody({ text: 'help' })}&command=%2Fother`],
  ];

  it.each(cases)(
    '%s is answered 400 at once, with one log line and no stack',
    async (_name, body, headers) => {
      const before = ctx.bot.logs.length;
      const res = await postSigned(ctx.bot.url, body, { headers });
      expect(res.status).toBe(400);
      expect(res.ms).toBeLessThan(1_000);
      await new Promise((r) => setTimeout(r, 100));
      const lines = ctx.bot.logs.slice(before);
      expect(lines, lines.join('')).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, status: 400 });
      expect(lines[0]).not.toMatch(/TypeError|\\n\s+at /);
    },
  );

  it('the bot is still up and answers a good command after all of them', async () => {
    const res = await expire('help');
    expect(res.status).toBe(200);
    expect(res.json().response_type).toBe('ephemeral');
  });
});

describe('request bodies', () => {
  const big = (bytes: number) => `payload=${'x'.repeat(bytes)}`;

  it('an unsigned body is refused from its headers, without reading it', async () => {
    const res = await fetch(`${ctx.bot.url}/slack/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: big(4 * 1024 * 1024),
    });
    expect(res.status).toBe(401);
  });

  it('a signed body over the limit is refused as 413 from its Content-Length', async () => {
    const res = await postSigned(ctx.bot.url, big(2 * 1024 * 1024));
    expect(res.status).toBe(413);
  });

  it("a body whose signature does not match is 401; Slack's ssl_check still answers 200", async () => {
    const ts = Math.floor(Date.now() / 1000);
    const forged = await postSigned(ctx.bot.url, commandBody({ text: 'help' }), {
      signature: slackSignature('another-secret-entirely', ts, 'x'),
      timestamp: ts,
    });
    expect(forged.status).toBe(401);
    const sslCheck = await fetch(`${ctx.bot.url}/slack/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=legacy',
    });
    expect(sslCheck.status).toBe(200);
    expect(SIGNING_SECRET).not.toBe('another-secret-entirely');
  });
});

describe('keys LaunchDarkly must never see', () => {
  it.each([
    ['BEL', 'zoe\u0007'],
    ['a zero-width space', 'zo\u200be'],
    ['a right-to-left override', 'zoe\u202etxt'],
  ])(
    'a target with %s is refused by name, and nothing is written (even with --grant)',
    async (_name, key) => {
      const res = await expire(`flag new-checkout ${key},yan in 2 weeks --grant --variation off`);
      expect(res.status).toBe(200);
      const said = res.body ? text(res.json()) : '';
      const replies = said + slack.responseUrlPosts.map((p) => JSON.stringify(p.body)).join('');
      expect(replies).toContain(JSON.stringify(TARGET_PROBLEMS.invisible(key)).slice(1, 40));
      expect(ld.patches()).toEqual([]);
    },
  );
});
