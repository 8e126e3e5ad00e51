import { beforeEach, describe, expect, it } from 'vitest';
import { APPROVAL_NEWS, APPROVAL_REFUSALS } from '../../src/slack/blocks/approval.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import { APPROVAL_ENV, approvalSteps } from '../helpers/approvals.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { expireIn, watchFrom } from '../helpers/channel-commands.js';
import { sqliteUrl } from '../helpers/databases.js';
import { openHome } from '../helpers/home-tab.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { ALICE, BOB, GRACE, MALLORY, usersOf } from '../helpers/people.js';

/**
 * The rules around approvals in Slack (README "Approvals in Slack", PRODUCT §13) that the happy
 * paths of approvals.test.ts leave open: the change policy asked first and again when an approved
 * change is sent, the approval taking Confirm's place, who may decline, and the Home tab's buttons.
 */

const fakes = fakesPerFile({ users: usersOf(ALICE, BOB, GRACE, MALLORY) });
const { slack, ld } = fakes;
const { expire, requestMessage, click, decline, privately, dm, expiryPatches } = approvalSteps(fakes);
beforeEach(() => {
  // Approvers: grace by S0RELEASE. Who may change production, where a test says so: S0DEV (alice).
  slack.groups.set('S0RELEASE', ['U7']);
  slack.groups.set('S0DEV', ['U1']);
});

/** How long the bot trusts what Slack said of a user group's members (src/slack/user-groups.ts). */
const GROUP_CACHE_MS = 5 * 60_000;

/** Every message (channel, thread, DM) and private answer, as one text. */
const everythingSaid = () => JSON.stringify([slack.messages, slack.responseUrlPosts.map((p) => p.body)]);

describe('approvals in Slack under a change policy that names a user group', () => {
  const ctx = botPerTest(fakes, {
    databaseUrl: sqliteUrl,
    env: { ...APPROVAL_ENV, CHANGE_POLICY: '*/production=S0DEV' },
  });
  const rows = () => ctx.database.db.selectFrom('approvals').selectAll().execute();
  const sentToLd = () => ld.requests.filter((r) => r.method !== 'GET');

  it('asks CHANGE_POLICY before approvals: someone it does not allow is refused in its words, and no request is made', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks', MALLORY);
    const refused = await privately(':no_entry:');
    expect(refused.body.text).toBe(
      ':no_entry: You may not change `production` in project `default`: the rule `*/production=S0DEV` of CHANGE_POLICY does not include you. Nothing was sent to LaunchDarkly.',
    );
    await ctx.bot.work.idle();
    expect(await rows()).toEqual([]);
    expect(slack.messages.filter((m) => m.text?.includes('asks for approval'))).toEqual([]);
    expect(everythingSaid()).not.toContain('waits for approval');
    expect(ld.requests).toEqual([]);
    // The environment does need approvers: alice, whom the policy allows, is held for them.
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks', ALICE);
    const { id } = await requestMessage();
    expect((await rows()).map((r) => r.id)).toEqual([id]);
    expect(sentToLd()).toEqual([]);
  });

  it('asks CHANGE_POLICY again when the approved change is sent: the requester left its group, so nothing is sent and the thread and they hear why', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks', ALICE);
    const { message, id } = await requestMessage();
    await ctx.bot.work.idle();
    slack.groups.set('S0DEV', []);
    // Past the time the bot trusts what it read of S0DEV when alice asked.
    ctx.clock += GROUP_CACHE_MS + 60_000;
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts });
    const why =
      ':no_entry: You may not change `production` in project `default`: the rule `*/production=S0DEV` of CHANGE_POLICY does not include you. Nothing was sent to LaunchDarkly.';
    const inThread = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && m.thread_ts === message.ts),
    );
    expect(inThread.text).toBe(
      ':no_entry: Approved, but not sent: CHANGE_POLICY no longer lets <@U1> change `production` in project `default` (its rule `*/production=S0DEV` does not include them). Nothing was sent to LaunchDarkly.',
    );
    expect((await dm('U1', 'does not include you')).text).toBe(why);
    await slack.waitFor(() => allText(message).includes('could not be applied') || undefined);
    await ctx.bot.work.idle();
    expect(allText(message)).toContain('Approved by <@U2>');
    expect((await new ApprovalStore(ctx.database.db).get(id))?.state).toBe('failed');
    expect(sentToLd()).toEqual([]);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
  });
});

describe('approvals in Slack in a protected environment', () => {
  const ctx = botPerTest(fakes, {
    databaseUrl: sqliteUrl,
    env: { ...APPROVAL_ENV, PROTECTED_ENVIRONMENTS: 'production,staging' },
  });
  const confirmations = () => ctx.database.db.selectFrom('confirmations').selectAll().execute();

  it('the approval takes the place of Confirm: held without a Confirm question, applied once approved without one', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await privately('waits for approval by');
    await ctx.bot.work.idle();
    expect(everythingSaid()).not.toContain(ACTIONS.confirm);
    expect(await confirmations()).toEqual([]);
    expect(expiryPatches()).toEqual([]);

    await click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: message.ts });
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === message.ts && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(result.channel).toBe('C1');
    await ctx.bot.work.idle();
    expect(expiryPatches()).toHaveLength(1);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
    expect(everythingSaid()).not.toContain(ACTIONS.confirm);
    expect(await confirmations()).toEqual([]);
    expect((await new ApprovalStore(ctx.database.db).get(id))?.state).toBe('applied');

    // Where no approver is named, the same protection asks Confirm, as before.
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks --env staging');
    await privately(ACTIONS.confirm);
    expect(await confirmations()).toHaveLength(1);
    expect(expiryPatches()).toHaveLength(1);
  });
});

describe('approvals in Slack: Decline, and the Home tab', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: APPROVAL_ENV });
  const stateOf = async (id: string) => (await new ApprovalStore(ctx.database.db).get(id))?.state;

  it('Decline is refused for the requester and for someone not an approver, privately; the request still waits, and an approver may still decline it', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await ctx.bot.work.idle();
    const shown = JSON.stringify(message.blocks);

    await decline(ctx.bot.url, ALICE, id, { message: message.ts }, 'my own, I changed my mind');
    await dm('U1', APPROVAL_REFUSALS.requester);
    await decline(ctx.bot.url, MALLORY, id, { message: message.ts }, 'I do not like it');
    await dm('U666', APPROVAL_REFUSALS['not-an-approver']);
    await ctx.bot.work.idle();
    expect(await stateOf(id)).toBe('pending');
    expect(JSON.stringify(message.blocks)).toBe(shown);
    expect(everythingSaid()).not.toContain('declined your request');
    expect(slack.messages.filter((m) => m.channel === 'C1')).toEqual([message]);
    expect(expiryPatches()).toEqual([]);

    // The refused declines swallowed nothing: bob's goes through.
    await decline(ctx.bot.url, BOB, id, { message: message.ts }, 'not during the freeze');
    await dm('U1', '<@U2> declined your request');
    await ctx.bot.work.idle();
    expect(await stateOf(id)).toBe('declined');
    expect(allText(message)).toContain('Declined by <@U2>: “not during the freeze”');
    expect(expiryPatches()).toEqual([]);
  });

  it('a Decline refused because Slack could not say who is in the approvers’ group does not swallow the same approver’s next one', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await ctx.bot.work.idle();
    // Unknown membership counts as none: grace is refused once.
    slack.failNext('usergroups.users.list', 'internal_error');
    await decline(ctx.bot.url, GRACE, id, { message: message.ts });
    await dm('U7', APPROVAL_REFUSALS['not-an-approver']);
    await ctx.bot.work.idle();
    expect(await stateOf(id)).toBe('pending');
    // She clicks Decline again, on a new form: Slack answers now, and it is her decision.
    await decline(ctx.bot.url, GRACE, id, { message: message.ts }, 'not during the freeze');
    await dm('U1', '<@U7> declined your request');
    await ctx.bot.work.idle();
    expect(await stateOf(id)).toBe('declined');
    expect(allText(message)).toContain('Declined by <@U7>: “not during the freeze”');
    expect(expiryPatches()).toEqual([]);
  });

  it('Approve on the Home tab applies the change: the result in the request’s thread', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await ctx.bot.work.idle();
    expect(allText(await openHome(slack, ctx.bot.url, GRACE.id))).toContain('Waiting for your approval');
    await click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, 'home');
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === message.ts && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(result.channel).toBe('C1');
    await dm('U7', APPROVAL_NEWS.approving);
    await ctx.bot.work.idle();
    const patches = expiryPatches();
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body.comment).toContain('by @alice (U1)');
    expect(patches[0]!.body.comment).toContain('approved in Slack by @grace (U7)');
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
    expect(await stateOf(id)).toBe('applied');
    expect(allText(message)).toContain('Approved by <@U7>');
    // Her Home tab, published again, no longer offers it.
    expect(allText(slack.homes.get(GRACE.id))).not.toContain('Waiting for your approval');
  });

  it('Decline on the Home tab declines it: its form, the request updated in place, the requester told, nothing sent', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await ctx.bot.work.idle();
    expect(allText(await openHome(slack, ctx.bot.url, BOB.id))).toContain('Waiting for your approval');
    await decline(ctx.bot.url, BOB, id, 'home', 'not during the freeze');
    const told = await dm('U1', '<@U2> declined your request');
    expect(told.text).toContain('not during the freeze');
    await ctx.bot.work.idle();
    expect(await stateOf(id)).toBe('declined');
    expect(allText(message)).toContain('Declined by <@U2>: “not during the freeze”');
    expect((message.blocks ?? []).filter((b: any) => b.type === 'actions')).toEqual([]);
    expect(expiryPatches()).toEqual([]);
    expect(allText(slack.homes.get(BOB.id))).not.toContain('Waiting for your approval');
  });

  it('Withdraw on the Home tab: the requester takes it back there, the request updated in place, gone from their Home', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await ctx.bot.work.idle();
    expect(allText(await openHome(slack, ctx.bot.url, ALICE.id))).toContain(
      'Your requests waiting for approval',
    );
    await click(ctx.bot.url, ALICE, ACTIONS.approvalWithdraw, id, 'home');
    await dm('U1', APPROVAL_NEWS.withdrawn);
    await ctx.bot.work.idle();
    expect(await stateOf(id)).toBe('withdrawn');
    expect(allText(message)).toContain('Withdrawn by <@U1>');
    expect(allText(slack.homes.get(ALICE.id))).not.toContain('Your requests waiting for approval');
    expect(expiryPatches()).toEqual([]);
  });
});

describe('approvals in Slack and watching', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: APPROVAL_ENV });

  it('watching and unwatching an environment covered by approvers asks only the change policy: no approval is made', async () => {
    await watchFrom(slack, ctx.bot.url, 'C1');
    await expireIn(slack, ctx.bot.url, 'unwatch --env production', 'C1');
    await ctx.bot.work.idle();
    expect(await ctx.database.db.selectFrom('watches').selectAll().execute()).toEqual([]);
    expect(await ctx.database.db.selectFrom('approvals').selectAll().execute()).toEqual([]);
    expect(everythingSaid()).not.toContain('waits for approval');
  });
});

describe('approvals in Slack needing two approvers', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: { ...APPROVAL_ENV, APPROVALS_NEEDED: '2' } });

  it('an approval whose approver has left APPROVERS’ group since counts no more when the next one approves', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: message.ts });
    await privately(APPROVAL_NEWS.counted(2, 1));
    slack.groups.set('S0RELEASE', []);
    // Past the time the bot trusts what it read of S0RELEASE when grace clicked.
    ctx.clock += GROUP_CACHE_MS + 60_000;
    const before = slack.responseUrlPosts.length;
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts });
    await slack.waitFor(() =>
      slack.responseUrlPosts.slice(before).find((p) => allText(p.body).includes(APPROVAL_NEWS.counted(2, 1))),
    );
    await ctx.bot.work.idle();
    const row = await new ApprovalStore(ctx.database.db).get(id);
    expect(row?.state).toBe('pending');
    // Grace's approval stays on record: Slack may say she is an approver again.
    expect(row?.votes.map((v) => v.userId)).toEqual([GRACE.id, BOB.id]);
    expect(expiryPatches()).toEqual([]);
  });
});
