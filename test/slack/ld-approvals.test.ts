import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runLdApprovalPass } from '../../src/passes/ld-approvals.js';
import { LD_CHECK_EVERY_MS } from '../../src/services/ld-approvals.js';
import { scanEnvironment } from '../../src/services/scan.js';
import { LD_APPROVAL_NEWS } from '../../src/slack/blocks/ld-approval.js';
import { LATE_EXPIRY_MS } from '../../src/slack/ld-approval-news.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { WEBHOOK_MERGE_MS, WEBHOOK_PATH } from '../../src/webhook.js';
import type { Bot } from '../helpers/bot.js';
import { type BotPerTest, botPerTest, fakesPerFile, syncWatches, T0 } from '../helpers/bot-per-test.js';
import { DATABASES, sqliteUrl } from '../helpers/databases.js';
import { auditRep, type FakeLaunchDarkly, UI_MEMBER } from '../helpers/fake-launchdarkly.js';
import { memberActor } from '../helpers/fake-ld-approvals.js';
import type { FakeSlack, PostedMessage } from '../helpers/fake-slack.js';
import { openHome } from '../helpers/home-tab.js';
import { allText } from '../helpers/message-text.js';
import { silent } from '../helpers/silent-logger.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

// PRODUCT §14: an environment where LaunchDarkly requires approvals. A grant there becomes a
// LaunchDarkly approval request; the bot follows it and sets the expiry once it is applied.

const GUARDED = 'guarded';
const SECRET = 'webhook-secret-0123456789';
const DAY = 86_400_000;
const REVIEWER = memberActor('Rita', 'Reviewer');

const fakes = fakesPerFile();
const { slack, ld } = fakes;

/** A project whose production requires approvals (and whose `frozen` env refuses expiries too). */
function seedGuarded(fake: FakeLaunchDarkly) {
  fake
    .addProject(GUARDED, [
      { key: 'production', approvals: true },
      { key: 'frozen', approvals: true, expiryApprovals: true },
      'staging',
    ])
    .addFlag(GUARDED, {
      key: 'gated',
      variations: [
        { value: true, name: 'on' },
        { value: false, name: 'off' },
      ],
      targets: {
        production: [{ variation: 0, values: ['sandy'] }],
        frozen: [{ variation: 0, values: ['sandy'] }],
      },
    })
    .addSegment(GUARDED, 'production', { key: 'testers', included: ['sandy'] });
}

async function expire(bot: Bot, text: string) {
  const res = await postSigned(bot.url, commandBody({ text, response_url: slack.responseUrl() }));
  expect(res.status).toBe(200);
}

/** The channel's answer to a command (not in a thread). */
const answer = (s: FakeSlack, includes: string) =>
  s.waitFor(() =>
    s.messages.find((m) => m.channel === 'C1' && !m.thread_ts && allText(m).includes(includes)),
  );

/** What is said in `parent`'s thread, once it says `includes`. */
const inThread = (s: FakeSlack, parent: PostedMessage, includes: string) =>
  s.waitFor(() => s.messages.find((m) => m.thread_ts === parent.ts && allText(m).includes(includes)));

function passDeps(ctx: BotPerTest, bot: Bot = ctx.bot) {
  return {
    ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, logger: silent }),
    ldApprovalStore: new LdApprovalStore(bot.database.db),
    watches: new WatchStore(bot.database.db),
    logger: silent,
    work: bot.work,
    config: bot.config,
    now: () => ctx.clock,
    stopping: () => false,
  };
}

/** One pass of the follower, as main.ts runs it, then the jobs it handed out done. */
async function follow(ctx: BotPerTest, bot: Bot = ctx.bot) {
  const counts = await runLdApprovalPass({ deps: passDeps(ctx, bot) });
  await bot.work.idle();
  return counts;
}

/** Asks for a grant of newbie on the guarded flag; resolves to the message and LaunchDarkly's request. */
async function askGrant(ctx: BotPerTest, env = 'production') {
  await expire(
    ctx.bot,
    `flag gated newbie in 2 weeks --grant --variation on --project ${GUARDED} --env ${env}`,
  );
  const message = await answer(slack, 'approval request');
  await ctx.bot.work.idle();
  const [request] = ld.approvals.list();
  return { message, request: request! };
}

const expiryPatches = () => ld.patches().filter((p) => /expiring-(user-)?targets/.test(p.path));
const approvalReads = (id: string) =>
  ld.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/approval-requests/${id}`));
const expiriesOn = (kind: 'flag' | 'segment', key: string) =>
  ld.expiringTargets(kind, GUARDED, key, 'production');

describe('LaunchDarkly approvals: a refused grant becomes an approval request', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });
  beforeEach(() => seedGuarded(ld));

  it('flag: the same instructions on the flag-scoped endpoint, the requester named, the person told with the link', async () => {
    const { message, request } = await askGrant(ctx);
    expect(ld.approvals.list()).toHaveLength(1);
    const created = ld.requests.find((r) => r.method === 'POST' && r.path.endsWith('/approval-requests'))!;
    expect(created.path).toBe(
      `/api/v2/projects/${GUARDED}/flags/gated/environments/production/approval-requests`,
    );
    expect(request.instructions).toEqual([
      {
        kind: 'addTargets',
        variationId: ld.variationId(GUARDED, 'gated', 0),
        contextKind: 'user',
        values: ['newbie'],
      },
    ]);
    expect(request.description).toContain('Add newbie to flag gated in production until');
    expect(request.comment).toContain('by @alice (U1)');
    const text = allText(message);
    expect(text).toContain('LaunchDarkly requires approval for changes to flag *gated* in *production*');
    expect(text).toContain(`|an approval request>`);
    expect(text).toContain(`/approvals/${request.id}`);
    expect(text).toContain('will be added, and their expiry');
    expect(expiryPatches()).toEqual([]);
    expect(await ctx.bot.store.upcoming(T0, { limit: 10, offset: 0 })).toMatchObject({ items: [] });
    expect(ld.schemaViolations).toEqual([]);
  });

  it('segment: the generic endpoint with the resource id', async () => {
    await expire(ctx.bot, `segment testers newbie in 2 weeks --grant --project ${GUARDED}`);
    await answer(slack, 'approval request');
    const [request] = ld.approvals.list();
    expect(request).toMatchObject({
      kind: 'segment',
      resourceId: `proj/${GUARDED}:env/production:segment/testers`,
      instructions: [{ kind: 'addIncludedTargets', contextKind: 'user', values: ['newbie'] }],
    });
    const created = ld.requests.find((r) => r.method === 'POST' && r.path.endsWith('/approval-requests'))!;
    expect(created.path).toBe('/api/v2/approval-requests');
  });

  it('a 403 whose message names approval is taken the same way', async () => {
    ld.fail({
      status: 403,
      body: { code: 'forbidden', message: 'This change requires approval in this environment' },
      match: (r) => r.method === 'PATCH' && r.path === `/api/v2/flags/${GUARDED}/gated`,
    });
    await expire(
      ctx.bot,
      `flag gated newbie in 2 weeks --grant --variation on --project ${GUARDED} --env staging`,
    );
    await answer(slack, 'approval request');
    expect(ld.approvals.list()).toMatchObject([{ kind: 'flag', environmentKey: 'staging' }]);
  });

  it('a target already granted gets its expiry now; only the one to grant waits', async () => {
    await expire(ctx.bot, `flag gated sandy,newbie in 2 weeks --grant --project ${GUARDED}`);
    const message = await answer(slack, 'approval request');
    expect(allText(message)).toContain('scheduled 1 target on flag *gated*');
    expect(expiriesOn('flag', 'gated').map((e) => e.contextKey)).toEqual(['sandy']);
    expect(ld.approvals.list()[0]!.instructions).toMatchObject([{ values: ['newbie'] }]);
  });

  it('/expire list shows the target waiting on the approval', async () => {
    const { request } = await askGrant(ctx);
    slack.reset();
    await expire(ctx.bot, `list flag gated --project ${GUARDED}`);
    const listed = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => allText(p.body).includes('Waiting')),
    );
    const text = allText(listed.body);
    expect(text).toContain('Waiting for approval in LaunchDarkly');
    expect(text).toContain('`newbie` on flag *gated*');
    expect(text).toContain(request.id);
  });

  it('the Home tab shows the requester what waits on a LaunchDarkly approval', async () => {
    const { request } = await askGrant(ctx);
    const view = await openHome(slack, ctx.bot.url, 'U1');
    const text = allText(view);
    expect(text).toContain('Waiting for approval in LaunchDarkly');
    expect(text).toContain('`newbie` on flag *gated* in *production*');
    expect(text).toContain(request.id);
    expect(allText(await openHome(slack, ctx.bot.url, 'U2'))).not.toContain(
      'Waiting for approval in LaunchDarkly',
    );
  });

  it('an expiring-targets PATCH refused for approvals is told with LaunchDarkly’s message', async () => {
    await expire(ctx.bot, `flag gated sandy in 2 weeks --project ${GUARDED} --env frozen`);
    const message = await answer(slack, 'Nothing scheduled');
    expect(allText(message)).toContain("action 'updateExpiringTargets' not allowed");
    expect(ld.approvals.list()).toEqual([]);
  });

  it('a token that may not create approval requests: the target fails with LaunchDarkly’s reason', async () => {
    ld.fail({
      status: 403,
      match: (r) => r.method === 'POST' && r.path.endsWith('/approval-requests'),
    });
    await expire(ctx.bot, `flag gated newbie in 2 weeks --grant --project ${GUARDED}`);
    const message = await answer(slack, 'Nothing scheduled');
    expect(allText(message)).toContain('the request for it was refused');
  });

  it('a change cut short after LaunchDarkly made the request finds it again instead of making a second', async () => {
    ld.fail({
      applyFirst: true,
      destroy: true,
      match: (r) => r.method === 'POST' && r.path.endsWith('/approval-requests'),
    });
    await askGrant(ctx);
    expect(
      ld.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/approval-requests')),
    ).toHaveLength(1);
    expect(ld.approvals.list()).toHaveLength(1);
    const stored = await new LdApprovalStore(ctx.database.db).open({});
    expect(stored.map((a) => a.id)).toEqual([ld.approvals.list()[0]!.id]);
  });
});

describe('LaunchDarkly approvals: following a request to its end', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });
  beforeEach(() => seedGuarded(ld));

  it('approved and applied in LaunchDarkly: the expiry is set and said in the thread', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ld.approvals.apply(request.id, REVIEWER);
    ctx.clock += LD_CHECK_EVERY_MS;
    expect(await follow(ctx)).toEqual({ read: 1, news: 1 });
    const said = await inThread(slack, message, 'approved and applied');
    expect(allText(said)).toContain('Scheduled 1 of 1 target');
    expect(expiriesOn('flag', 'gated').map((e) => e.contextKey)).toEqual(['newbie']);
    const stored = await ctx.bot.store.upcoming(T0, { limit: 10, offset: 0 });
    expect(stored.items.map((e) => [e.target.key, e.messageTs])).toEqual([['newbie', message.ts]]);
    // Said once: the next reads find it settled.
    ctx.clock += LD_CHECK_EVERY_MS;
    expect(await follow(ctx)).toEqual({ read: 0, news: 0 });
  });

  it('approved, not applied: the bot applies it and goes on; it never reviews', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    await inThread(slack, message, 'approved and applied');
    expect(ld.approvals.get(request.id)).toMatchObject({ status: 'completed' });
    expect(ld.requests.filter((r) => r.path.endsWith('/apply'))).toHaveLength(1);
    expect(ld.requests.filter((r) => r.path.endsWith('/reviews'))).toEqual([]);
    expect(expiriesOn('flag', 'gated').map((e) => e.contextKey)).toEqual(['newbie']);
  });

  it('declined: said by whom, with the comment, once; nothing added', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.review(request.id, REVIEWER, 'decline', 'not during the freeze');
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    const said = await inThread(slack, message, 'was declined');
    expect(allText(said)).toContain('declined by Rita Reviewer: “not during the freeze”');
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
    expect(expiryPatches()).toEqual([]);
  });

  it('deleted in LaunchDarkly: said so', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.remove(request.id);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    await inThread(slack, message, 'was deleted in LaunchDarkly');
  });

  it('failed in LaunchDarkly: said so', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.fail(request.id);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    await inThread(slack, message, 'could not apply');
  });

  it('not decided within APPROVAL_TIMEOUT: still pending, said once, and still followed', async () => {
    const { message, request } = await askGrant(ctx);
    ctx.clock += DAY;
    await follow(ctx);
    const said = await inThread(slack, message, 'still waiting for a review');
    expect(allText(said)).toContain(request.id);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ld.approvals.apply(request.id, REVIEWER);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    await inThread(slack, message, 'approved and applied');
  });

  it('a request the bot cannot read: nothing said until the timeout, then still pending and why', async () => {
    const { message, request } = await askGrant(ctx);
    ld.fail({
      status: 403,
      times: 100,
      match: (r) => r.method === 'GET' && r.path.endsWith(`/approval-requests/${request.id}`),
    });
    ctx.clock += LD_CHECK_EVERY_MS;
    expect(await follow(ctx)).toEqual({ read: 0, news: 0 });
    ctx.clock += DAY;
    await follow(ctx);
    const said = await inThread(slack, message, 'still waiting for a review');
    expect(allText(said)).toContain('I cannot read it just now');
  });

  it('applied after the requested expiry: the targets expire a minute later, and it says so', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ld.approvals.apply(request.id, REVIEWER);
    ctx.clock += 15 * DAY;
    await follow(ctx);
    const said = await inThread(slack, message, 'approved and applied');
    expect(allText(said)).toContain(LD_APPROVAL_NEWS.late);
    expect(expiriesOn('flag', 'gated').map((e) => [e.contextKey, e.expirationDate])).toEqual([
      ['newbie', ctx.clock + LATE_EXPIRY_MS],
    ]);
  });

  it('approved, then applied in LaunchDarkly before the bot applies it: no second apply, said once', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ctx.clock += LD_CHECK_EVERY_MS;
    // The pass finds it approved; a reviewer applies it while the job reads it.
    const read = (r: { method: string; path: string }) =>
      r.method === 'GET' && r.path.endsWith(`/approval-requests/${request.id}`);
    const passRead = ld.hold(read);
    const jobRead = ld.hold(read);
    const passing = runLdApprovalPass({ deps: passDeps(ctx) });
    await passRead.reached;
    passRead.release();
    expect(await passing).toEqual({ read: 1, news: 1 });
    await jobRead.reached;
    ld.approvals.apply(request.id, REVIEWER);
    jobRead.release();
    await ctx.bot.work.idle();
    // The audit entry of that apply has the request read again: its news is the same job's.
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    await inThread(slack, message, 'approved and applied');
    expect(ld.requests.filter((r) => r.path.endsWith('/apply'))).toEqual([]);
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
    expect(expiryPatches()).toHaveLength(1);
  });

  it('approved, but LaunchDarkly will not let the bot apply it: said once with the link; applied later, the expiry follows', async () => {
    const { message, request } = await askGrant(ctx);
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ld.fail({ status: 403, match: (r) => r.path.endsWith('/apply') });
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    const refused = await inThread(slack, message, 'would not let me apply it');
    expect(allText(refused)).toContain(request.id);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
    ld.approvals.apply(request.id, REVIEWER);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    await inThread(slack, message, 'approved and applied');
  });

  it('polls at most once a minute when nothing tells of reviews', async () => {
    const { request } = await askGrant(ctx);
    ctx.clock += 30_000;
    await follow(ctx);
    expect(approvalReads(request.id)).toHaveLength(0);
    ctx.clock += 30_000;
    await follow(ctx);
    await follow(ctx);
    expect(approvalReads(request.id)).toHaveLength(1);
  });

  it('a restart while a request is open loses nothing and doubles nothing', async () => {
    const { message, request } = await askGrant(ctx);
    const bot = await ctx.restart();
    ld.approvals.review(request.id, REVIEWER, 'approve');
    ld.approvals.apply(request.id, REVIEWER);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx, bot);
    await inThread(slack, message, 'approved and applied');
    expect(ld.approvals.list()).toHaveLength(1);
    expect(expiriesOn('flag', 'gated')).toHaveLength(1);
  });
});

describe('LaunchDarkly approvals: followed by webhook and by the audit log', () => {
  const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

  describe('with webhooks on', () => {
    const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: { LD_WEBHOOK_SECRET: SECRET } });
    beforeEach(() => seedGuarded(ld));

    it('a review entry has the request read at the next pass, not a minute later', async () => {
      const { message, request } = await askGrant(ctx);
      ld.approvals.review(request.id, REVIEWER, 'decline', 'no');
      const body = JSON.stringify(auditRep(ld.auditLog.at(-1)!));
      const res = await fetch(`${ctx.bot.url}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-LD-Signature': sign(body) },
        body,
      });
      expect(res.status).toBe(202);
      // Past the webhook's merge window, so that its (watching) re-read is not left waiting.
      ctx.clock += WEBHOOK_MERGE_MS + 1;
      await follow(ctx);
      await inThread(slack, message, 'was declined');
    });

    it('followed by webhooks, a request is read only every ten minutes otherwise', async () => {
      const { request } = await askGrant(ctx);
      ctx.clock += LD_CHECK_EVERY_MS;
      await follow(ctx);
      expect(approvalReads(request.id)).toHaveLength(1);
      ctx.clock += LD_CHECK_EVERY_MS;
      await follow(ctx);
      expect(approvalReads(request.id)).toHaveLength(1);
    });
  });

  describe('in a watched environment', () => {
    const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl });
    beforeEach(() => seedGuarded(ld));

    it('the audit-log sync finds the review and has the request read at once', async () => {
      const watches = new WatchStore(ctx.database.db);
      const environment = { projectKey: GUARDED, environmentKey: 'production' };
      await watches.add({ channelId: 'C1', ...environment, createdBy: 'U1', createdAt: T0 });
      const client = new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, logger: silent });
      const mirror = new MirrorStore(ctx.database.db);
      const scan = { ld: client, watches, mirror, logger: silent, owner: 'test', fullScanIntervalMs: DAY };
      await scanEnvironment(environment, { now: T0, deps: scan });
      const { message, request } = await askGrant(ctx);
      ld.approvals.review(request.id, REVIEWER, 'approve');
      ld.approvals.apply(request.id, UI_MEMBER);
      ctx.clock += 1_000;
      await syncWatches(ctx, client);
      await follow(ctx);
      await inThread(slack, message, 'approved and applied');
    });
  });
});

describe.each(DATABASES)('LaunchDarkly approvals on two replicas (%s)', (_name, databaseUrl) => {
  const ctx = botPerTest(fakes, { databaseUrl });
  beforeEach(() => seedGuarded(ld));

  it('both follow the request: each outcome said once, the expiry set once', async () => {
    const { message, request } = await askGrant(ctx);
    const other = await (await import('../helpers/bot.js')).startBot(
      slack,
      ld,
      {},
      {
        database: ctx.database,
        now: () => new Date(ctx.clock),
      },
    );
    try {
      ld.approvals.review(request.id, REVIEWER, 'approve');
      ctx.clock += LD_CHECK_EVERY_MS;
      await Promise.all([follow(ctx), follow(ctx, other)]);
      await inThread(slack, message, 'approved and applied');
      await Promise.all([ctx.bot.work.idle(), other.work.idle()]);
      expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
      expect(ld.requests.filter((r) => r.path.endsWith('/apply'))).toHaveLength(1);
      expect(expiryPatches()).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});
