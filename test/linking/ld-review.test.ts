import { beforeEach, describe, expect, it } from 'vitest';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { runLdApprovalPass } from '../../src/passes/ld-approvals.js';
import { LD_CHECK_EVERY_MS } from '../../src/services/ld-approvals.js';
import { LINK_WAIT_MS } from '../../src/services/linking.js';
import { LD_REVIEW } from '../../src/slack/blocks/ld-approval.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { LdApprovalStore } from '../../src/store/ld-approval-store.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { type BotPerTest, botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { memberActor } from '../helpers/fake-ld-approvals.js';
import { ADA, type FakeMember } from '../helpers/fake-ld-oauth.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { heldInQueue, linkAccount, linkingEnv, linkWaits } from '../helpers/linking.js';
import { allText } from '../helpers/message-text.js';
import { ALICE, BOB, MALLORY, usersOf } from '../helpers/people.js';
import { silent } from '../helpers/silent-logger.js';
import { type Clicker, clickButton, commandBody, postSigned } from '../helpers/slack-requests.js';

// PRODUCT §14 with §15: where LaunchDarkly requires approvals and people link their accounts, the
// approval request is created as the requester, and linked reviewers answer it from Slack as
// themselves; LaunchDarkly's rules decide.

const GUARDED = 'guarded';
const BO_ACTOR = memberActor('Bo', 'Reviewer', 'bo@acme.com', 'member-bo');
const BO: FakeMember = {
  id: 'member-bo',
  email: 'bo@acme.com',
  firstName: 'Bo',
  lastName: 'Reviewer',
  role: 'writer',
};

const fakes = fakesPerFile({ users: usersOf(ALICE, BOB, MALLORY) });
const { slack, ld } = fakes;

async function grant(ctx: BotPerTest) {
  await postSigned(
    ctx.bot.url,
    commandBody({
      text: `flag gated newbie in 2 weeks --grant --variation on --project ${GUARDED}`,
      response_url: slack.responseUrl(),
    }),
  );
  const message = await slack.waitFor(() =>
    slack.messages.find((m) => m.channel === 'C1' && !m.thread_ts && allText(m).includes('approval request')),
  );
  await ctx.bot.work.idle();
  return { message, request: ld.approvals.list()[0]! };
}

/** The action ids of a posted message's buttons, as the message stands now. */
const buttonsOf = (message: PostedMessage): string[] =>
  (message.blocks ?? [])
    .flatMap((b: any) => b.elements ?? [])
    .filter((e: any) => e.type === 'button')
    .map((e: any) => e.action_id);

function review(ctx: BotPerTest, user: Clicker, actionId: string, message: PostedMessage, id: string) {
  return clickButton(ctx.bot.url, {
    user,
    actionId,
    value: id,
    channel: 'C1',
    messageTs: message.ts,
    triggerId: slack.trigger(),
    responseUrl: slack.responseUrl(),
  });
}

const privately = (text: string) =>
  slack.waitFor(() => slack.responseUrlPosts.find((p) => allText(p.body).includes(text)));

const passDeps = (ctx: BotPerTest) => ({
  ld: new LaunchDarklyClient({ baseUri: ld.url, accessToken: ld.token, logger: silent }),
  ldApprovalStore: new LdApprovalStore(ctx.database.db),
  watches: new WatchStore(ctx.database.db),
  logger: silent,
  work: ctx.bot.work,
  config: ctx.bot.config,
  now: () => ctx.clock,
  stopping: () => false,
});

async function follow(ctx: BotPerTest) {
  await runLdApprovalPass({ deps: passDeps(ctx) });
  await ctx.bot.work.idle();
}

/** Bob approves from Slack: said in the request's thread, and LaunchDarkly holds Bo's review. */
async function approvedByBo(ctx: BotPerTest, message: PostedMessage, id: string) {
  await review(ctx, BOB, ACTIONS.ldReviewApprove, message, id);
  await slack.waitFor(() =>
    slack.messages.find(
      (m) => m.thread_ts === message.ts && allText(m).includes(LD_REVIEW.sent(BOB.id, 'approve')),
    ),
  );
  expect(ld.approvals.get(id)!.reviews).toMatchObject([
    { kind: 'approve', actor: { member: { _id: BO.id } } },
  ]);
}

/** A flag in an environment requiring approvals, and Alice (as Ada) and Bob (as Bo) linked. */
async function guardedFlagAndLinks(ctx: BotPerTest) {
  // Each links their own member: Slack shows them with its email.
  slack.users.set(ALICE.id, { tz: 'UTC', name: ALICE.name, email: ADA.email });
  slack.users.set(BOB.id, { tz: 'UTC', name: BOB.name, email: BO.email });
  ld.addProject(GUARDED, [{ key: 'production', approvals: true }]).addFlag(GUARDED, {
    key: 'gated',
    variations: [
      { value: true, name: 'on' },
      { value: false, name: 'off' },
    ],
    targets: { production: [{ variation: 0, values: ['sandy'] }] },
  });
  await linkAccount(fakes, ctx.bot.url, ADA, ALICE);
  await linkAccount(fakes, ctx.bot.url, BO, BOB);
  slack.reset();
}

describe('LaunchDarkly approvals made with the bot’s token, people linked (LD_ACT_AS=bot)', () => {
  const ctx = botPerTest(fakes, {
    databaseUrl: sqliteUrl,
    env: { ...linkingEnv('bot'), CHANGE_POLICY: '*/*=*' },
  });
  beforeEach(() => guardedFlagAndLinks(ctx));

  it('the requester cannot approve their own request from Slack, though LaunchDarkly cannot tell them from the bot; another person can', async () => {
    const { message, request } = await grant(ctx);
    expect(request.actor).not.toHaveProperty('member');

    await review(ctx, ALICE, ACTIONS.ldReviewApprove, message, request.id);
    await privately(LD_REVIEW.ownRequest);
    expect(ld.requests.filter((r) => r.path.endsWith('/reviews'))).toEqual([]);
    expect(ld.approvals.get(request.id)).toMatchObject({ reviewStatus: 'pending' });

    await approvedByBo(ctx, message, request.id);
  });
});

describe('LaunchDarkly approvals, acting as the person', () => {
  const ctx = botPerTest(fakes, {
    databaseUrl: sqliteUrl,
    env: { ...linkingEnv('person'), CHANGE_POLICY: '*/*=*' },
  });
  beforeEach(() => guardedFlagAndLinks(ctx));

  it('the request is the requester’s; their own review is refused by LaunchDarkly and they hear it; a linked reviewer’s counts; the bot applies as the requester', async () => {
    const { message, request } = await grant(ctx);
    expect(request.actor).toMatchObject({ member: { _id: ADA.id } });
    expect(buttonsOf(message)).toEqual(
      expect.arrayContaining([ACTIONS.ldReviewApprove, ACTIONS.ldReviewDecline]),
    );

    await review(ctx, ALICE, ACTIONS.ldReviewApprove, message, request.id);
    const refused = await privately('LaunchDarkly did not take your review');
    expect(allText(refused.body)).toContain('You cannot review your own approval request');
    expect(ld.approvals.get(request.id)).toMatchObject({ reviewStatus: 'pending' });

    await approvedByBo(ctx, message, request.id);

    ctx.clock += 1_000; // the review asked for the request to be read at the next pass
    await follow(ctx);
    await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === message.ts && allText(m).includes('approved and applied')),
    );
    expect(ld.approvals.get(request.id)).toMatchObject({
      status: 'completed',
      appliedBy: { member: { _id: ADA.id } },
    });
    const expiry = ld.patches().find((p) => /expiring-(user-)?targets/.test(p.path))!;
    expect(expiry.member?.id).toBe(ADA.id);
    // Decided: its buttons are spent and taken off the message; the rest of it stays.
    expect(buttonsOf(message)).toEqual([]);
    expect(allText(message)).toContain('approval request');
  });

  it('applied in LaunchDarkly while the requester is unlinked: the expiry waits for their link, then the thread hears it is not set', async () => {
    const { message, request } = await grant(ctx);
    await postSigned(ctx.bot.url, commandBody({ text: 'unlink', response_url: slack.responseUrl() }));
    await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => allText(p.body).toLowerCase().includes('unlink')),
    );
    ld.approvals.review(request.id, BO_ACTOR, 'approve');
    ld.approvals.apply(request.id, BO_ACTOR);
    ctx.clock += LD_CHECK_EVERY_MS;
    await runLdApprovalPass({ deps: passDeps(ctx) });
    // Held for Alice's link: back in the queue, waiting.
    await heldInQueue(ctx.database);
    ctx.clock += LINK_WAIT_MS + 1;
    // Its next look at the link, without waiting 30 s, once the job is back in the queue.
    const notSet = () =>
      slack.messages.find((m) => m.thread_ts === message.ts && allText(m).includes('no expiry is set'));
    for (let i = 0; i < 250 && !notSet(); i++) {
      await ctx.bot.work.runNow(await linkWaits(ctx.database));
      await new Promise((r) => setTimeout(r, 20));
    }
    const said = notSet()!;
    expect(allText(said)).toContain('`newbie` on flag *gated*');
    expect(ld.patches().filter((p) => /expiring-(user-)?targets/.test(p.path))).toEqual([]);
    await ctx.bot.work.idle();
    expect((await new LdApprovalStore(ctx.database.db).get(request.id))?.state).toBe('completed');
  });

  it('someone not linked who clicks is asked to link; nothing is sent as the bot', async () => {
    const { message, request } = await grant(ctx);
    await review(ctx, MALLORY, ACTIONS.ldReviewDecline, message, request.id);
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === MALLORY.id && allText(m).includes('link')),
    );
    expect(ld.requests.filter((r) => r.path.endsWith('/reviews'))).toEqual([]);
  });

  it('a decided request: the click is told so, nothing sent', async () => {
    const { message, request } = await grant(ctx);
    ld.approvals.remove(request.id);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    expect(buttonsOf(message)).toEqual([]);
    // A click on buttons shown before they were taken off.
    await review(ctx, BOB, ACTIONS.ldReviewApprove, message, request.id);
    await privately(LD_REVIEW.decided);
    expect(ld.requests.filter((r) => r.path.endsWith('/reviews'))).toEqual([]);
  });
});

describe('a change approved in Slack that LaunchDarkly then holds for its own approval', () => {
  const ctx = botPerTest(fakes, {
    databaseUrl: sqliteUrl,
    env: {
      ...linkingEnv('person'),
      CHANGE_POLICY: '*/*=*',
      APPROVERS: '*/production=U2',
      PROTECTED_ENVIRONMENTS: 'none',
    },
  });
  beforeEach(() => guardedFlagAndLinks(ctx));

  it('its review buttons, on the result in the Slack request’s thread, are taken off once LaunchDarkly decides', async () => {
    await postSigned(
      ctx.bot.url,
      commandBody({
        text: `flag gated newbie in 2 weeks --grant --variation on --project ${GUARDED}`,
        response_url: slack.responseUrl(),
      }),
    );
    const asked = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && !m.thread_ts && m.text?.includes('asks for approval')),
    );
    const approve = asked
      .blocks!.flatMap((b: any) => b.elements ?? [])
      .find((e: any) => e.action_id === ACTIONS.approvalApprove);
    await clickButton(ctx.bot.url, {
      user: BOB,
      actionId: ACTIONS.approvalApprove,
      value: approve.value,
      channel: 'C1',
      messageTs: asked.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === asked.ts && buttonsOf(m).includes(ACTIONS.ldReviewApprove)),
    );
    await ctx.bot.work.idle();
    const [request] = ld.approvals.list();
    ld.approvals.remove(request!.id);
    ctx.clock += LD_CHECK_EVERY_MS;
    await follow(ctx);
    expect(buttonsOf(result)).toEqual([]);
    expect(allText(result)).toContain('approval request');
  });
});
