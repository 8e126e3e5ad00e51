import { describe, expect, it } from 'vitest';
import { LD_MESSAGES } from '../../src/services/ld-errors.js';
import { LINK_WAIT_MS } from '../../src/services/linking.js';
import { LINK_MESSAGES } from '../../src/slack/blocks/link.js';
import { type BotPerTest, botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { DATABASES } from '../helpers/databases.js';
import type { Fault } from '../helpers/fake-launchdarkly.js';
import { ADA, type FakeMember } from '../helpers/fake-ld-oauth.js';
import { hurryRetries } from '../helpers/hurry-retries.js';
import { linkAccount, linkingEnv } from '../helpers/linking.js';
import { allText } from '../helpers/message-text.js';
import { ALICE, BOB, usersOf } from '../helpers/people.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

/**
 * A linked person's tokens when LaunchDarkly's token endpoint fails, and when a token meets 401
 * (PRODUCT §15): only a spent grant or the link's own token refused ends a link.
 */
const PERSON_ENV = { ...linkingEnv('person'), CHANGE_POLICY: '*/*=*' };
const H = 3_600_000;
const CHANGE = 'flag new-checkout sandy in 2 weeks';
/** The first try fails, the next comes after the worker's back-off (1 s): a generous wait for it. */
const RETRY_WAIT_MS = 15_000;

// Alice's Slack email is her member's (Ada's): linking checks the two are the same person.
const fakes = fakesPerFile({
  users: { ...usersOf(ALICE, BOB), [ALICE.id]: { tz: 'UTC', name: ALICE.name, email: ADA.email } },
});
const { slack, ld } = fakes;

async function expire(ctx: BotPerTest, text: string) {
  const res = await postSigned(
    ctx.bot.url,
    commandBody({ text, user_id: ALICE.id, user_name: ALICE.name, response_url: slack.responseUrl() }),
  );
  expect(res.status).toBe(200);
}

/** `/expire link`, and `member` allows the bot at LaunchDarkly: a new grant, whatever linked before. */
async function link(ctx: BotPerTest, member: FakeMember) {
  expect((await linkAccount(fakes, ctx.bot.url, member, ALICE)).res.status).toBe(200);
}

const linkRows = (ctx: BotPerTest) => ctx.database.db.selectFrom('ld_links').selectAll().execute();
const tokenRequests = () => ld.requests.filter((r) => r.path === '/trust/oauth/token');
const refreshes = (r: { path: string; body: unknown }) =>
  r.path === '/trust/oauth/token' && String(r.body).includes('grant_type=refresh_token');
const scheduled = () =>
  slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1'));
const heldForLink = () =>
  slack.messages.find(
    (m) => m.channel === ALICE.id && allText(m).includes(LINK_MESSAGES.heldRefused(LINK_WAIT_MS)),
  );
const toldRetry = () =>
  slack.responseUrlPosts.find((p) => JSON.stringify(p.body).includes('I will try again'));

/** The first try's end: told it is tried again (fixed) or asked to link again (the link was dropped). */
async function firstTry(): Promise<'retry' | 'held'> {
  return slack.waitFor(() => (toldRetry() ? 'retry' : heldForLink() ? 'held' : undefined));
}

/** The bot's log lines with this `event`, parsed. */
const logged = (logs: string[], event: string) =>
  logs.filter((l) => l.includes(`"event":"${event}"`)).map((l) => JSON.parse(l) as Record<string, any>);

describe('a token refresh LaunchDarkly does not complete keeps the link (PRODUCT §15)', () => {
  const ctx = botPerTest(fakes, { databaseUrl: DATABASES[0]![1], env: PERSON_ENV });

  /** The link's access token has expired; the refresh gets `fault`; the person asks for a change. */
  async function refreshMeets(fault: Omit<Fault, 'match'>) {
    await link(ctx, ADA);
    ctx.clock += H;
    ld.fail({ match: refreshes, ...fault });
    await expire(ctx, CHANGE);
    expect(await firstTry()).toBe('retry');
  }

  /** Kept, its refresh claim given back at once, nobody asked to link again; the next try runs the change. */
  async function keptAndRetried() {
    const [row] = await linkRows(ctx);
    expect(row).toMatchObject({ user_id: ALICE.id, member_id: ADA.id, refreshing_until: null });
    await slack.waitFor(scheduled, RETRY_WAIT_MS);
    // The code's exchange, the refresh that failed, the refresh tried again.
    expect(tokenRequests()).toHaveLength(3);
    expect(await linkRows(ctx)).toHaveLength(1);
    expect(heldForLink()).toBeUndefined();
    expect(logged(ctx.bot.logs, 'link-refused')).toEqual([]);
  }

  it.each<[string, Omit<Fault, 'match'>]>([
    // oauth4webapi reads an OAuth error only from a 4xx: a 5xx was never taken for a refusal.
    ['an outage (503 server_error)', { status: 503, body: { error: 'server_error' } }],
    [
      'a rate limit (429 temporarily_unavailable)',
      { status: 429, body: { error: 'temporarily_unavailable' }, headers: { 'Retry-After': '1' } },
    ],
    [
      'a request LaunchDarkly did not take (400 invalid_request)',
      { status: 400, body: { error: 'invalid_request' } },
    ],
  ])('%s: the link kept, the change tried again later', async (_name, fault) => {
    await refreshMeets(fault);
    expect(logged(ctx.bot.logs, 'oauth-client-refused')).toEqual([]);
    await keptAndRetried();
  });

  it.each<[string, Omit<Fault, 'match'>]>([
    ['400 unauthorized_client', { status: 400, body: { error: 'unauthorized_client' } }],
    [
      '401 with a WWW-Authenticate challenge',
      { status: 401, body: {}, headers: { 'WWW-Authenticate': 'Basic realm="LaunchDarkly"' } },
    ],
  ])(
    "the bot's OAuth client refused (%s): a configuration error logged, the link kept",
    async (_name, fault) => {
      await refreshMeets(fault);
      const [line] = logged(ctx.bot.logs, 'oauth-client-refused');
      expect(line).toMatchObject({ level: 50, user: ALICE.id });
      expect(line!.msg).toContain('configuration error');
      await keptAndRetried();
    },
  );

  it('the OAuth client refused on every try: the person hears it is the bot’s configuration, not that LaunchDarkly is down; the link kept', async () => {
    await link(ctx, ADA);
    ctx.clock += H;
    ld.fail({ match: refreshes, status: 400, body: { error: 'unauthorized_client' }, times: 100 });
    const stop = hurryRetries(ctx.databaseUrl.slice('sqlite:'.length));
    try {
      await expire(ctx, CHANGE);
      const told = await slack.waitFor(
        () =>
          slack.messages.find(
            (m) => m.channel === 'C1' && allText(m).includes(LD_MESSAGES.oauthClientRefused),
          ),
        RETRY_WAIT_MS,
      );
      expect(allText(told)).not.toContain(LD_MESSAGES.unreachable);
    } finally {
      stop();
    }
    expect(await linkRows(ctx)).toHaveLength(1);
    expect(ld.patches()).toEqual([]);
  });

  it('a wrong LD_OAUTH_CLIENT_SECRET (401 invalid_client): logged as configuration, never the secret; links kept and the change runs once it is right', async () => {
    await link(ctx, ADA);
    const wrong = 'wrong-oauth-client-secret-9876543210';
    await ctx.start({ LD_OAUTH_CLIENT_SECRET: wrong });
    const logs = ctx.bot.logs;
    ctx.clock += H;
    await expire(ctx, CHANGE);
    expect(await firstTry()).toBe('retry');
    expect(tokenRequests().at(-1)!.status).toBe(401); // the fake checks the client's secret
    const lines = logs.filter((l) => l.includes('"event":"oauth-client-refused"'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 50, user: ALICE.id, err: { code: 'invalid_client', status: 401 } });
    expect(line.msg).toContain('LD_OAUTH_CLIENT_SECRET');
    // Nothing secret reached the line: not even redacted (the logger masks what it knows of).
    expect(lines[0]).not.toContain(wrong);
    expect(lines[0]).not.toContain('[redacted]');
    expect(await linkRows(ctx)).toMatchObject([{ user_id: ALICE.id, refreshing_until: null }]);
    expect(logged(logs, 'link-refused')).toEqual([]);
    // The operator puts the right secret back: the waiting change refreshes and runs as Ada.
    await ctx.start();
    await keptAndRetried();
  });
});

describe('a 401 ends only the link whose token met it (PRODUCT §15)', () => {
  const ctx = botPerTest(fakes, { databaseUrl: DATABASES[0]![1], env: PERSON_ENV });

  it('a change still on the token a new link replaced: the new link kept, the change run with it', async () => {
    await link(ctx, ADA);
    const [old] = ld.oauth.accessTokens;
    const onOld = ld.hold((r) => r.headers.authorization === `Bearer ${old}`);
    await expire(ctx, CHANGE);
    await onOld.reached;
    // Linking again while the change waits on LaunchDarkly revokes the grant it replaces.
    await link(ctx, ADA);
    const fresh = ld.oauth.accessTokens.at(-1)!;
    expect(fresh).not.toBe(old);
    onOld.release();
    expect(await firstTry()).toBe('retry');
    expect(onOld.held[0]!.status).toBe(401);
    await slack.waitFor(scheduled, RETRY_WAIT_MS);
    const patches = ld.patches().filter((p) => /expiring-(user-)?targets/.test(p.path));
    expect(patches.map((p) => p.headers.authorization)).toEqual([`Bearer ${fresh}`]);
    expect(await linkRows(ctx)).toHaveLength(1);
    expect(heldForLink()).toBeUndefined();
    expect(logged(ctx.bot.logs, 'link-refused')).toEqual([]);
  });

  it('the link’s own token revoked in LaunchDarkly: still removed, the change held for a new link', async () => {
    await link(ctx, ADA);
    ld.oauth.revokeAllGrants();
    await expire(ctx, CHANGE);
    expect(await firstTry()).toBe('held');
    expect(await linkRows(ctx)).toEqual([]);
  });
});
