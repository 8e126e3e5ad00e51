import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { LD_MESSAGES } from '../../src/services/ld-errors.js';
import { LINK_STATE_TTL_MS, LINK_WAIT_MS } from '../../src/services/linking.js';
import { LINK_MESSAGES } from '../../src/slack/blocks/link.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { CALLBACK_PAGES, MAX_CALLBACKS_IN_FLIGHT } from '../../src/slack/oauth-callback.js';
import { startBot } from '../helpers/bot.js';
import { type BotPerTest, botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { DATABASES } from '../helpers/databases.js';
import {
  ADA,
  FAKE_OAUTH_CLIENT,
  type FakeMember,
  ISSUED_OAUTH_SECRETS,
  RITA,
} from '../helpers/fake-ld-oauth.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import {
  followRedirect,
  heldInQueue,
  linkAccount,
  linkButtonUrl,
  linkingEnv,
  linkWaits,
  PUBLIC_URL,
} from '../helpers/linking.js';
import { allText } from '../helpers/message-text.js';
import { ALICE, BOB, usersOf } from '../helpers/people.js';
import { clickButton, commandBody, postSigned } from '../helpers/slack-requests.js';

const PERSON_ENV = { ...linkingEnv('person'), CHANGE_POLICY: '*/*=*' };
const H = 3_600_000;

const fakes = fakesPerFile({ users: usersOf(ALICE, BOB) });
const { slack, ld } = fakes;

/** Alice's Slack profile shows `email`: her own member's (Ada's) unless a test says otherwise. */
const aliceEmail = (email?: string) =>
  slack.users.set(ALICE.id, { tz: 'UTC', name: ALICE.name, ...(email ? { email } : {}) });
beforeEach(() => aliceEmail(ADA.email));

/** `/expire <text>` as `user` in C1; its private answers come through the fake Slack's response_url. */
async function expire(ctx: BotPerTest, text: string, user = ALICE) {
  const res = await postSigned(
    ctx.bot.url,
    commandBody({ text, user_id: user.id, user_name: user.name, response_url: slack.responseUrl() }),
  );
  expect(res.status).toBe(200);
  return res;
}

const buttonUrl = linkButtonUrl;
const follow = (ctx: BotPerTest, location: string) => followRedirect(ctx.bot.url, location);
const link = (ctx: BotPerTest, member: FakeMember, user = ALICE) =>
  linkAccount(fakes, ctx.bot.url, member, user);

const dmsTo = (user: string) => slack.messages.filter((m) => m.channel === user).map(allText);
const privately = (text: string) =>
  slack.waitFor(() => slack.responseUrlPosts.find((p) => JSON.stringify(p.body).includes(text)));
const expiryPatches = () => ld.patches().filter((p) => /expiring-(user-)?targets/.test(p.path));
/** Resolves once the change held for a link is queued again (its job no longer running), as it is told. */
async function held(ctx: BotPerTest, text: string) {
  await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes(text)));
  await heldInQueue(ctx.database);
}

const waits = (ctx: BotPerTest) => ctx.database.db.selectFrom('ld_link_waits').selectAll().execute();
const linkRows = (ctx: BotPerTest) => ctx.database.db.selectFrom('ld_links').selectAll().execute();

async function refusals(ctx: BotPerTest, reason: string): Promise<number> {
  const text = await ctx.bot.metrics.registry.metrics();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.includes('ld_expiry_bot_http_refusals_total{') &&
        l.includes(`reason="${reason}"`) &&
        l.includes('oauth'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.each(DATABASES)('acting as the person on %s (PRODUCT §15)', (_name, databaseUrl) => {
  const ctx = botPerTest(fakes, { databaseUrl, env: PERSON_ENV });

  it('links: a private button to LaunchDarkly, the callback, a page, and a DM naming the member', async () => {
    await expire(ctx, 'link');
    await privately(LINK_MESSAGES.button);
    const url = new URL(buttonUrl(slack, 'private')!);
    expect(`${url.origin}${url.pathname}`).toBe(`${ld.url}/trust/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: FAKE_OAUTH_CLIENT.id,
      redirect_uri: `${PUBLIC_URL}/launchdarkly/oauth/callback`,
      scope: 'writer',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    const location = ld.oauth.authorizeAs(ADA, url.toString());
    const res = await follow(ctx, location);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain(CALLBACK_PAGES.linked);
    await slack.waitFor(() =>
      dmsTo(ALICE.id).find((t) => t.includes('Linked: in LaunchDarkly I act as Ada Lovelace (ada@acme.com)')),
    );
    await expire(ctx, 'whoami');
    await privately(LINK_MESSAGES.whoPerson({ memberId: ADA.id, email: ADA.email, name: 'Ada Lovelace' }));
  });

  it('refuses a replayed, forged or missing state with a 400 page, counted, and links nothing more', async () => {
    const first = await link(ctx, ADA);
    expect(first.res.status).toBe(200);
    const exchanges = ld.oauth.calls.authorizationCode;
    const replay = await follow(ctx, first.location);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain(CALLBACK_PAGES.refused);
    // A refused page is a page like the others: nothing may run in it, frame it or be kept.
    expect(replay.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(replay.headers.get('cache-control')).toBe('no-store');
    expect(replay.headers.get('x-frame-options')).toBe('DENY');
    expect(await refusals(ctx, 'used_state')).toBe(1);

    // Bob's browser with a state nobody handed out, or none at all: nothing is exchanged or linked.
    const forged = new URL(first.location);
    forged.searchParams.set('state', 'forged-state-0123456789abcdef');
    expect((await follow(ctx, forged.toString())).status).toBe(400);
    forged.searchParams.delete('state');
    expect((await follow(ctx, forged.toString())).status).toBe(400);
    expect(await refusals(ctx, 'unknown_state')).toBe(1);
    expect(await refusals(ctx, 'no_state')).toBe(1);
    expect(ld.oauth.calls.authorizationCode).toBe(exchanges);
    expect((await linkRows(ctx)).map((r) => r.user_id)).toEqual([ALICE.id]);
  });

  it('refuses a state older than 10 minutes', async () => {
    await expire(ctx, 'link');
    await privately(LINK_MESSAGES.button);
    const location = ld.oauth.authorizeAs(ADA, buttonUrl(slack, 'private')!);
    ctx.clock += LINK_STATE_TTL_MS + 1;
    const res = await follow(ctx, location);
    expect(res.status).toBe(400);
    expect(await refusals(ctx, 'expired_state')).toBe(1);
    expect(await linkRows(ctx)).toEqual([]);
    expect(ld.oauth.calls.authorizationCode).toBe(0);
  });

  it('links nothing when the person says no at LaunchDarkly, or LaunchDarkly does not answer', async () => {
    await expire(ctx, 'link');
    await privately(LINK_MESSAGES.button);
    const denied = new URL(ld.oauth.authorizeAs(ADA, buttonUrl(slack, 'private')!));
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied');
    const no = await follow(ctx, denied.toString());
    expect(no.status).toBe(400);
    expect(await no.text()).toContain(CALLBACK_PAGES.notLinked);
    await slack.waitFor(() =>
      dmsTo(ALICE.id).find((t) => t.includes(LINK_MESSAGES.linkRefused('access_denied'))),
    );

    ld.fail({ match: (r) => r.path === '/trust/oauth/token', status: 503 });
    const { res } = await link(ctx, ADA);
    expect(res.status).toBe(502);
    await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes(LINK_MESSAGES.linkUnavailable)));
    expect(await linkRows(ctx)).toEqual([]);
  });

  it('a link button forwarded to someone else: their member is not the asker by email, nothing linked, the grant revoked', async () => {
    aliceEmail('alice@acme.com');
    const { res, page } = await link(ctx, ADA);
    expect(res.status).toBe(400);
    expect(page).toContain(CALLBACK_PAGES.notYours);
    await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes('is not yours by email')));
    expect(await linkRows(ctx)).toEqual([]);
    expect(ld.oauth.calls.revoked).toEqual([ld.oauth.refreshTokens[0]]);
    // Their own member, same email in another case: linked.
    const own = { ...ADA, id: 'member-alice', email: 'Alice@Acme.com', firstName: 'Alice' };
    expect((await link(ctx, own)).res.status).toBe(200);
    expect((await linkRows(ctx)).map((r) => r.member_id)).toEqual(['member-alice']);
  });

  it('fails closed: with no email to compare (Slack shows none, or does not answer) nothing is linked, the grant revoked, the asker told why', async () => {
    aliceEmail(undefined); // users:read.email not granted: Slack's profile has no email
    const { res, page } = await link(ctx, ADA);
    expect(res.status).toBe(400);
    expect(page).toContain(CALLBACK_PAGES.unconfirmed);
    await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes(LINK_MESSAGES.unconfirmed('slack'))));
    expect(await linkRows(ctx)).toEqual([]);
    expect(ld.oauth.calls.revoked).toEqual([ld.oauth.refreshTokens[0]]);

    aliceEmail(ADA.email);
    slack.failNext('users.info', 'internal_error');
    expect((await link(ctx, ADA)).res.status).toBe(400);
    expect(await linkRows(ctx)).toEqual([]);
    expect(ld.oauth.calls.revoked).toEqual(ld.oauth.refreshTokens.slice(0, 2));
    // Slack answers again: her own account links.
    expect((await link(ctx, ADA)).res.status).toBe(200);
    expect((await linkRows(ctx)).map((r) => r.member_id)).toEqual([ADA.id]);
  });

  it('linking again ends the grant it replaces in LaunchDarkly', async () => {
    await link(ctx, ADA);
    const [first] = ld.oauth.refreshTokens;
    await link(ctx, ADA);
    expect(ld.oauth.calls.revoked).toEqual([first]);
    expect(await linkRows(ctx)).toHaveLength(1);
  });

  it('unlinks: the link deleted and revoked in LaunchDarkly', async () => {
    await link(ctx, ADA);
    const [refreshToken] = ld.oauth.refreshTokens;
    await expire(ctx, 'unlink');
    await privately(
      'Unlinked: I no longer act as Ada Lovelace (ada@acme.com) in LaunchDarkly, and LaunchDarkly revoked',
    );
    expect(ld.oauth.calls.revoked).toEqual([refreshToken]);
    expect(await linkRows(ctx)).toEqual([]);
    expect(ld.oauth.actorFor(`Bearer ${ld.oauth.accessTokens[0]}`)).toBeUndefined();
    await expire(ctx, 'unlink');
    await privately(LINK_MESSAGES.notLinked);
  });

  it('makes a change as the person: LaunchDarkly sees their bearer token and its audit log names them', async () => {
    await link(ctx, ADA);
    const [adaToken] = ld.oauth.accessTokens;
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
    const [patch] = expiryPatches();
    expect(patch!.headers.authorization).toBe(`Bearer ${adaToken}`);
    expect(ld.auditLog.at(-1)!.actor).toEqual({
      member: { _id: ADA.id, email: ADA.email, firstName: ADA.firstName, lastName: ADA.lastName },
    });
    // Never the service token for a change.
    expect(ld.requests.filter((r) => r.method === 'PATCH' && r.headers.authorization === ld.token)).toEqual(
      [],
    );
  });

  it('tells a LaunchDarkly reader that their role does not allow it, and sends nothing as the bot', async () => {
    aliceEmail(RITA.email);
    await link(ctx, RITA);
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    const resource = {
      kind: 'flag',
      key: 'new-checkout',
      projectKey: 'default',
      environmentKey: 'production',
    } as const;
    await slack.waitFor(() =>
      slack.messages.find((m) => allText(m).includes(LD_MESSAGES.personForbidden(resource))),
    );
    const patches = ld.requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    expect(patches.every((r) => r.status === 403 && r.member?.id === RITA.id)).toBe(true);
    expect(ld.requests.filter((r) => r.method === 'PATCH' && r.headers.authorization === ld.token)).toEqual(
      [],
    );
  });

  it('holds the request of someone not linked, asks them to link, and runs it once they do', async () => {
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await held(ctx, LINK_MESSAGES.heldNotLinked(LINK_WAIT_MS));
    // Held, not failed: the job stays open, and nothing reached LaunchDarkly.
    expect(expiryPatches()).toEqual([]);
    const rows = await waits(ctx);
    expect(rows.map((r) => r.user_id)).toEqual([ALICE.id]);
    // The button in the DM links; the request runs at once, as her.
    const location = ld.oauth.authorizeAs(ADA, buttonUrl(slack, ALICE.id)!);
    expect((await follow(ctx, location)).status).toBe(200);
    await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes('Your waiting request runs now')));
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(expiryPatches()[0]!.headers.authorization).toBe(`Bearer ${ld.oauth.accessTokens[0]}`);
    for (let i = 0; i < 100 && (await waits(ctx)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await waits(ctx)).toEqual([]);
  });

  it('drops a held request after 10 minutes without a link, and says so', async () => {
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await held(ctx, LINK_MESSAGES.heldNotLinked(LINK_WAIT_MS));
    ctx.clock += LINK_WAIT_MS + 1;
    const waiting = await ctx.database.db.selectFrom('ld_link_waits').select('job_id').execute();
    await ctx.bot.work.runNow(waiting.map((w) => w.job_id)); // its next look, without waiting 30 s
    await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes(LINK_MESSAGES.dropped(LINK_WAIT_MS))));
    await ctx.bot.work.idle();
    expect(expiryPatches()).toEqual([]);
  });

  it('refreshes an expired token once for two concurrent changes', async () => {
    await link(ctx, ADA);
    ctx.clock += H; // the access token (an hour) has expired, for the bot and for LaunchDarkly
    ld.oauth.refreshDelayMs = 300;
    await Promise.all([
      expire(ctx, 'flag new-checkout sandy in 2 weeks'),
      expire(ctx, 'segment beta-testers bob in 2 weeks'),
    ]);
    await slack.waitFor(
      () =>
        slack.messages.filter((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')).length ===
          2 || undefined,
    );
    expect(ld.oauth.calls.refresh).toBe(1);
    const fresh = ld.oauth.accessTokens.at(-1);
    expect(expiryPatches().map((p) => p.headers.authorization)).toEqual([
      `Bearer ${fresh}`,
      `Bearer ${fresh}`,
    ]);
  });

  it('refreshes once across two replicas sharing the database', async () => {
    await link(ctx, ADA);
    const replica = await startBot(slack, ld, PERSON_ENV, {
      database: ctx.database,
      now: () => new Date(ctx.clock),
    });
    try {
      ctx.clock += H;
      ld.oauth.refreshDelayMs = 300;
      await Promise.all([
        postSigned(
          ctx.bot.url,
          commandBody({ text: 'flag new-checkout sandy in 2 weeks', response_url: slack.responseUrl() }),
        ),
        postSigned(
          replica.url,
          commandBody({ text: 'segment beta-testers bob in 2 weeks', response_url: slack.responseUrl() }),
        ),
      ]);
      await slack.waitFor(
        () =>
          slack.messages.filter((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')).length ===
            2 || undefined,
      );
      expect(ld.oauth.calls.refresh).toBe(1);
    } finally {
      await replica.stop();
    }
  });

  it('a refused refresh asks the person to link again; their change did not run and is held', async () => {
    await link(ctx, ADA);
    ctx.clock += H;
    ld.oauth.refuseRefresh = true;
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await held(ctx, LINK_MESSAGES.heldRefused(LINK_WAIT_MS));
    expect(expiryPatches()).toEqual([]);
    expect(await linkRows(ctx)).toEqual([]);
    // Linking again runs it.
    ld.oauth.refuseRefresh = false;
    const location = ld.oauth.authorizeAs(ADA, buttonUrl(slack, ALICE.id)!);
    expect((await follow(ctx, location)).status).toBe(200);
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
  });

  it('a link revoked in LaunchDarkly (its token answers 401): removed, the change held for a new link, nothing sent', async () => {
    await link(ctx, ADA);
    ld.oauth.revokeAllGrants();
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await held(ctx, LINK_MESSAGES.heldRefused(LINK_WAIT_MS));
    expect(expiryPatches()).toEqual([]);
    expect(await linkRows(ctx)).toEqual([]);
    await expire(ctx, 'whoami');
    await privately(LINK_MESSAGES.whoNobody);
    const location = ld.oauth.authorizeAs(ADA, buttonUrl(slack, ALICE.id)!);
    expect((await follow(ctx, location)).status).toBe(200);
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
  });

  it('a refresh LaunchDarkly does not answer is tried again later, the person told it waits', async () => {
    await link(ctx, ADA);
    ctx.clock += H;
    ld.fail({ match: (r) => r.path === '/trust/oauth/token', status: 503 });
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => JSON.stringify(p.body).includes('I will try again')),
    );
    await slack.waitFor(
      () => slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
      10_000,
    );
    // The code's exchange, the refresh refused with 503, the refresh tried again.
    expect(ld.requests.filter((r) => r.path === '/trust/oauth/token')).toHaveLength(3);
    expect(await linkRows(ctx)).toHaveLength(1);
  });

  it('keeps linked people across a restart (their tokens open with the same key)', async () => {
    await link(ctx, ADA);
    await ctx.restart();
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(expiryPatches()[0]!.headers.authorization).toBe(`Bearer ${ld.oauth.accessTokens[0]}`);
  });

  it('a new TOKEN_ENCRYPTION_KEY leaves old links unusable: the person is asked to link again', async () => {
    await link(ctx, ADA);
    await ctx.start({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 12).toString('base64') });
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await slack.waitFor(() =>
      dmsTo(ALICE.id).find((t) => t.includes(LINK_MESSAGES.heldNotLinked(LINK_WAIT_MS))),
    );
    expect(expiryPatches()).toEqual([]);
  });

  it('holds no token, code or state in clear in the database', async () => {
    const { location } = await link(ctx, ADA);
    // The state the bot handed out, as LaunchDarkly sent it back (kept only as its hash).
    const state = new URL(location).searchParams.get('state')!;
    expect(state.length).toBeGreaterThan(20);
    ctx.clock += H;
    await expire(ctx, 'flag new-checkout sandy in 2 weeks'); // a refresh: more tokens
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(ld.oauth.calls.refresh).toBe(1);
    const rows = JSON.stringify([
      await linkRows(ctx),
      await ctx.database.db.selectFrom('ld_link_states').selectAll().execute(),
      await ctx.database.db.selectFrom('jobs').selectAll().execute(),
    ]);
    const secrets = [...ISSUED_OAUTH_SECRETS.filter((s) => !s.startsWith('fake-oauth')), state];
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) expect(rows).not.toContain(secret);
    expect(rows).toContain(ADA.id);
    if (ctx.databaseUrl.startsWith('sqlite:')) {
      const file = ctx.databaseUrl.slice('sqlite:'.length);
      const bytes = Buffer.concat(
        [file, `${file}-wal`].flatMap((f) => {
          try {
            return [readFileSync(f)];
          } catch {
            return [];
          }
        }),
      ).toString('latin1');
      for (const secret of secrets) expect(bytes).not.toContain(secret);
      expect(bytes).toContain(ADA.id);
    }
  });
});

describe('linking while acting as the bot', () => {
  const ctx = botPerTest(fakes, { databaseUrl: DATABASES[0]![1], env: { ...PERSON_ENV, LD_ACT_AS: 'bot' } });

  it('keeps the service token for changes, and whoami says so', async () => {
    await link(ctx, ADA);
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(expiryPatches()[0]!.headers.authorization).toBe(ld.token);
    await expire(ctx, 'whoami');
    await privately('with my service token (LD_ACT_AS=bot), not as you');
  });
});

describe('the OAuth callback, an unsigned route', () => {
  const ctx = botPerTest(fakes, { databaseUrl: DATABASES[0]![1], env: PERSON_ENV });

  it('refuses a query far longer than LaunchDarkly sends, and a body, counted like the other routes', async () => {
    const long = await fetch(`${ctx.bot.url}/launchdarkly/oauth/callback?code=x&state=${'a'.repeat(5_000)}`);
    expect(long.status).toBe(414);
    // A GET carries no body: one that declares one is refused from its headers (413).
    const withBody = await new Promise<number>((resolve, reject) => {
      const req = request(`${ctx.bot.url}/launchdarkly/oauth/callback?code=x&state=y`, {
        method: 'GET',
        headers: { 'Content-Length': '10' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('0123456789');
    });
    expect(withBody).toBe(413);
    expect(await refusals(ctx, 'too_large')).toBe(2);
    expect(await linkRows(ctx)).toEqual([]);
  });

  it('answers 503 beyond MAX_CALLBACKS_IN_FLIGHT callbacks at once, counted, and the rest go on', async () => {
    const locations: string[] = [];
    for (let i = 0; i <= MAX_CALLBACKS_IN_FLIGHT; i++) {
      const before = slack.responseUrlPosts.length;
      await expire(ctx, 'link');
      await slack.waitFor(() => slack.responseUrlPosts.length > before);
      locations.push(ld.oauth.authorizeAs(ADA, buttonUrl(slack, 'private')!));
    }
    // LaunchDarkly slow to exchange the codes: every callback waits in it.
    const exchanges = ld.hold((r) => r.path === '/trust/oauth/token', MAX_CALLBACKS_IN_FLIGHT);
    const first = locations.slice(0, MAX_CALLBACKS_IN_FLIGHT).map((l) => follow(ctx, l));
    for (let i = 0; i < 250 && exchanges.held.length < MAX_CALLBACKS_IN_FLIGHT; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await follow(ctx, locations.at(-1)!)).status).toBe(503);
    expect(await refusals(ctx, 'busy')).toBe(1);
    exchanges.release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual(Array(MAX_CALLBACKS_IN_FLIGHT).fill(200));
  });

  it('tells someone not linked, in person mode, that their changes wait for a link', async () => {
    await expire(ctx, 'whoami');
    await privately(LINK_MESSAGES.whoNobody);
    expect((await expire(ctx, 'help')).body).toContain('link | unlink | whoami');
  });
});

describe('an approval in Slack, acting as the person', () => {
  const ctx = botPerTest(fakes, {
    databaseUrl: DATABASES[0]![1],
    env: { ...PERSON_ENV, APPROVERS: '*/production=U2', PROTECTED_ENVIRONMENTS: 'none' },
  });

  const requestMessage = () =>
    slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && !m.thread_ts && m.text?.includes('asks for approval')),
    );
  const approveButton = (request: PostedMessage) =>
    request.blocks
      ?.flatMap((b: any) => b.elements ?? [])
      .find((e: any) => e.action_id === ACTIONS.approvalApprove);
  async function approveAsBob(request: PostedMessage) {
    const res = await clickButton(ctx.bot.url, {
      user: BOB,
      actionId: ACTIONS.approvalApprove,
      value: approveButton(request).value,
      channel: 'C1',
      messageTs: request.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    expect(res.status).toBe(200);
  }

  /**
   * Alice (linked) asks for a change `when`; she unlinks; Bob approves; the apply waits for her
   * link, which does not come within LINK_WAIT_MS, and looks again now. The request's message.
   */
  async function approvedThenLinkGone(when: string) {
    await link(ctx, ADA, ALICE);
    await expire(ctx, `flag new-checkout sandy ${when}`);
    const request = await requestMessage();
    await expire(ctx, 'unlink');
    await slack.waitFor(() => slack.responseUrlPosts.find((p) => allText(p.body).includes('Unlinked')));
    await approveAsBob(request);
    await held(ctx, LINK_MESSAGES.heldNotLinked(LINK_WAIT_MS));
    ctx.clock += LINK_WAIT_MS + 1;
    await ctx.bot.work.runNow(await linkWaits(ctx.database)); // its next look, now
    return request;
  }

  it("is applied with the requester's token, not the approver's nor the bot's", async () => {
    await link(ctx, ADA, ALICE);
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    const request = await requestMessage();
    await approveAsBob(request);
    await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === request.ts && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(expiryPatches().map((p) => p.headers.authorization)).toEqual([
      `Bearer ${ld.oauth.accessTokens[0]}`,
    ]);
    expect(ld.auditLog.at(-1)!.actor).toMatchObject({ member: { email: ADA.email } });
  });

  it('someone not linked links before approvers are asked; then the request is posted', async () => {
    await expire(ctx, 'flag new-checkout sandy in 2 weeks');
    await held(ctx, LINK_MESSAGES.heldNotLinked(LINK_WAIT_MS));
    expect(slack.messages.filter((m) => m.channel === 'C1')).toEqual([]);
    expect(await ctx.database.db.selectFrom('approvals').selectAll().execute()).toEqual([]);
    const location = ld.oauth.authorizeAs(ADA, buttonUrl(slack, ALICE.id)!);
    expect((await follow(ctx, location)).status).toBe(200);
    expect(approveButton(await requestMessage())).toBeDefined();
    expect(expiryPatches()).toEqual([]);
  });

  it('approved while the requester’s link is gone and not renewed in time: nothing sent, the thread and the request say so', async () => {
    const request = await approvedThenLinkGone('in 2 weeks');
    const notSent = LINK_MESSAGES.approvedNotSent(ALICE.id, LINK_WAIT_MS);
    await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === request.ts && allText(m).includes(notSent)),
    );
    await ctx.bot.work.idle();
    expect(expiryPatches()).toEqual([]);
    const row = await ctx.database.db.selectFrom('approvals').select('state').executeTakeFirstOrThrow();
    expect(row.state).toBe('failed');
    expect(approveButton(request)).toBeUndefined();
    expect(allText(request)).toContain('could not be applied');
  });

  it('approved while the requester’s link is gone, and dropped after the expiry it asked for: said as too late', async () => {
    const request = await approvedThenLinkGone('in 5 minutes');
    await slack.waitFor(() => dmsTo(ALICE.id).find((t) => t.includes('Ask again with a new time')));
    await ctx.bot.work.idle();
    expect(expiryPatches()).toEqual([]);
    const row = await ctx.database.db.selectFrom('approvals').select('state').executeTakeFirstOrThrow();
    expect(row.state).toBe('too-late');
    expect(approveButton(request)).toBeUndefined();
  });
});
