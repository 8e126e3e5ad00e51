import type { WebClient } from '@slack/web-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { runApprovalDeadlines } from '../../src/passes/approval-deadlines.js';
import { Approvals } from '../../src/services/approvals.js';
import { announceApproval } from '../../src/slack/approval-messages.js';
import { APPROVAL_NEWS, APPROVAL_REFUSALS, approvalRequestMessage } from '../../src/slack/blocks/approval.js';
import { ACTIONS, BLOCKS, INPUTS, VIEWS } from '../../src/slack/ids.js';
import { homeChoiceValue } from '../../src/slack/parse/reminder.js';
import { jobMark } from '../../src/slack/reply.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { APPROVAL_ENV, approvalSteps } from '../helpers/approvals.js';
import { startBot } from '../helpers/bot.js';
import { botPerTest, fakesPerFile, T0 } from '../helpers/bot-per-test.js';
import { submitFormIn, watchFrom } from '../helpers/channel-commands.js';
import { DATABASES, sqliteUrl } from '../helpers/databases.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { chooseOnHome, openHome } from '../helpers/home-tab.js';
import { FLAG, PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { ALICE, BOB, GRACE, MALLORY, usersOf } from '../helpers/people.js';
import { silent } from '../helpers/silent-logger.js';
import {
  clickButton,
  commandBody,
  interactionBody,
  postSigned,
  submitExtendForm,
  viewSubmission,
} from '../helpers/slack-requests.js';

const H = 3_600_000;

const fakes = fakesPerFile({
  users: usersOf(ALICE, BOB, GRACE, MALLORY),
});
const { slack, ld } = fakes;
beforeAll(() => {
  slack.groups.set('S0RELEASE', ['U7']);
});

const { expire, requestMessage, click, privately, expiryPatches } = approvalSteps(fakes);

/** Alice's surface in C1 for announceApproval called directly: what she is told, recorded. */
function recordingSurface(client: WebClient) {
  const told: unknown[] = [];
  const surface = {
    client,
    channel: 'C1',
    userId: 'U1',
    tell: async (m: unknown) => told.push(m),
    fallback: async () => {},
    replace: async () => {},
  };
  return { told, surface };
}

/** The target labels a message's sections list, in order. */
const listedTargets = (m: PostedMessage, pattern: RegExp) =>
  (m.blocks ?? []).flatMap((b: any) => b.text?.text?.match(pattern) ?? []);

describe('approvals in Slack (one approver needed)', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: APPROVAL_ENV });

  it('holds the change: one message in the channel, the requester told privately, nothing sent', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks --reason "incident 42"');
    const { message } = await requestMessage();
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('<@U1> asks to schedule the expiry of');
    expect(text).toContain('<!subteam^S0RELEASE>, <@U2>');
    expect(text).toContain('incident 42');
    expect(text).toContain('in 2 weeks');
    const waiting = await privately('waits for approval by');
    expect(JSON.stringify(waiting.body)).toContain(ACTIONS.approvalWithdraw);
    expect(expiryPatches()).toEqual([]);
    expect(slack.messages.filter((m) => m.channel === 'U2' || m.channel === 'U7')).toEqual([]);
  });

  it('refuses the requester and anyone not listed, privately, and changes nothing', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { id } = await requestMessage();
    await click(ctx.bot.url, ALICE, ACTIONS.approvalApprove, id);
    await privately(APPROVAL_REFUSALS.requester);
    await click(ctx.bot.url, MALLORY, ACTIONS.approvalApprove, id);
    await privately(APPROVAL_REFUSALS['not-an-approver']);
    await ctx.bot.work.idle();
    expect(expiryPatches()).toEqual([]);
    expect((await new ApprovalStore(ctx.database.db).get(id))?.state).toBe('pending');
  });

  it('an approver says yes: applied once as the requester, the comment naming both, the result in its thread', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: message.ts });
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.thread_ts === message.ts && m.text?.includes('Scheduled 1 of 1')),
    );
    expect(result.channel).toBe('C1');
    const patches = expiryPatches();
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body.comment).toContain('by @alice (U1)');
    expect(patches[0]!.body.comment).toContain('approved in Slack by @grace (U7)');
    await slack.waitFor(() => (message.blocks ?? []).every((b: any) => b.type !== 'actions') || undefined);
    expect(JSON.stringify(message.blocks)).toContain('Approved by <@U7>');
    expect(await ctx.bot.store.upcoming(T0, { limit: 10, offset: 0 })).toMatchObject({ total: 1 });
  });

  it('two approvers clicking at once apply it once', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await Promise.all([
      click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: message.ts }),
      click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts }),
    ]);
    await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === message.ts));
    await ctx.bot.work.idle();
    expect(expiryPatches()).toHaveLength(1);
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
  });

  it('declined with a reason: updated in place, the requester told, nothing sent', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    const trigger = slack.trigger();
    await clickButton(ctx.bot.url, {
      user: BOB,
      actionId: ACTIONS.approvalDecline,
      value: id,
      channel: 'C1',
      messageTs: message.ts,
      triggerId: trigger,
      responseUrl: slack.responseUrl(),
    });
    const opened = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    const view = typeof opened === 'string' ? JSON.parse(opened) : opened;
    expect(view.callback_id).toBe(VIEWS.decline);
    const submitted = await postSigned(
      ctx.bot.url,
      interactionBody(
        viewSubmission({
          user: BOB,
          view: { callback_id: VIEWS.decline, private_metadata: view.private_metadata },
          values: { [BLOCKS.declineReason]: { [INPUTS.declineReason]: 'not during the freeze' } },
        }),
      ),
    );
    expect(submitted.status).toBe(200);
    const told = await slack.waitFor(() => slack.messages.find((m) => m.channel === 'U1'));
    expect(told.text).toContain('<@U2> declined your request');
    expect(told.text).toContain('not during the freeze');
    await ctx.bot.work.idle();
    expect(JSON.stringify(message.blocks)).toContain('Declined by <@U2>');
    expect(expiryPatches()).toEqual([]);
  });

  it('withdrawn by the requester: nothing sent, and a later approval changes nothing', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await click(ctx.bot.url, ALICE, ACTIONS.approvalWithdraw, id);
    await privately(APPROVAL_NEWS.withdrawn);
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id);
    await privately(APPROVAL_REFUSALS.decided);
    expect(JSON.stringify(message.blocks)).toContain('Withdrawn by <@U1>');
    expect(expiryPatches()).toEqual([]);
  });

  it('reminds the approvers once at half the wait, then expires: in place, the requester told', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    // The reminder goes in the request's thread: the job has noted its message once it is done.
    await ctx.bot.work.idle();
    const deps = { approvals: new ApprovalStore(ctx.database.db), slack: ctx.bot.app.client, logger: silent };
    expect(await runApprovalDeadlines({ now: T0 + 11 * H, deps })).toEqual({ reminded: 0, expired: 0 });
    expect(await runApprovalDeadlines({ now: T0 + 12 * H, deps })).toEqual({ reminded: 1, expired: 0 });
    expect(await runApprovalDeadlines({ now: T0 + 13 * H, deps })).toEqual({ reminded: 0, expired: 0 });
    const reminder = slack.messages.find((m) => m.thread_ts === message.ts);
    expect(reminder?.text).toContain('still waits for approval');
    expect(await runApprovalDeadlines({ now: T0 + 24 * H, deps })).toEqual({ reminded: 0, expired: 1 });
    expect(JSON.stringify(message.blocks)).toContain('Expired undecided');
    expect(slack.messages.find((m) => m.channel === 'U1')?.text).toContain(
      'it expired and nothing was changed',
    );
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id);
    await privately(APPROVAL_REFUSALS.decided);
    expect(expiryPatches()).toEqual([]);
  });

  it('an approval after the requested expiry time has passed is not applied; the requester is asked to ask again', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 hours');
    const { message, id } = await requestMessage();
    ctx.clock = T0 + 3 * H;
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts });
    const told = await slack.waitFor(() => slack.messages.find((m) => m.channel === 'U1'));
    expect(told.text).toContain('Ask again with a new time');
    expect(JSON.stringify(message.blocks)).toContain('after the expiry it asked for had passed');
    expect(expiryPatches()).toEqual([]);
  });

  /** An expiry of sandy on the flag in production, known to LaunchDarkly and to the bot. */
  async function knownExpiry(expiresAt = T0 + 30 * H) {
    const variationId = ld.variationId(PROJECT, 'new-checkout', 0);
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      expirationDate: expiresAt,
      contextKind: 'user',
      contextKey: 'sandy',
      variationId,
    });
    const target = { contextKind: 'user', key: 'sandy' };
    await ctx.bot.store.upsert(
      [
        {
          resource: FLAG,
          target,
          expiresAt,
          variationId,
          requestedBy: 'U1',
          channelId: 'C1',
          messageTs: '1.1',
        },
      ],
      T0,
    );
    const [expiry] = (await ctx.bot.store.upcoming(T0, { limit: 1, offset: 0 })).items;
    return { id: expiry!.id, value: JSON.stringify({ id: expiry!.id, at: expiresAt }) };
  }

  it('Remove now on a reminder needs no approval; Cancel expiry on it is held', async () => {
    const { value } = await knownExpiry();
    await click(ctx.bot.url, ALICE, ACTIONS.reminderCancel, value);
    await requestMessage();
    await click(ctx.bot.url, ALICE, ACTIONS.reminderRemoveNow, value);
    await slack.waitFor(() => ld.patches().find((p) => JSON.stringify(p.body).includes('removeTargets')));
    await ctx.bot.work.idle();
    expect(expiryPatches()).toHaveLength(1);
  });

  it('Extend on a reminder and Cancel expiry on Home are held the same way', async () => {
    const { id, value } = await knownExpiry();
    await click(ctx.bot.url, ALICE, ACTIONS.reminderExtend, value);
    const opened = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    const view = typeof opened === 'string' ? JSON.parse(opened) : opened;
    await submitExtendForm(ctx.bot.url, { user: ALICE, view, when: 'in 3 days' });
    const extend = await requestMessage();
    expect(JSON.stringify(extend.message.blocks)).toContain('move the expiry of');
    await chooseOnHome(slack, ctx.bot.url, ALICE, homeChoiceValue('remove', id, T0 + 30 * H));
    await slack.waitFor(
      () => slack.messages.filter((m) => m.text?.includes('asks for approval')).length === 2 || undefined,
    );
    await ctx.bot.work.idle();
    expect(expiryPatches()).toEqual([]);
  });

  it('asked where approvers cannot see it (a DM with the bot, a channel that refuses the bot): withdrawn, the requester told', async () => {
    await postSigned(
      ctx.bot.url,
      commandBody({
        text: 'flag new-checkout sandy in 2 weeks',
        channel_id: 'D0ALICE',
        response_url: slack.responseUrl(),
      }),
    );
    await privately('I could not show your request to its approvers');
    slack.notInChannel.add('C1');
    await expire(ctx.bot.url, 'flag new-checkout bob in 2 weeks');
    const told = await privately('not_in_channel');
    expect(JSON.stringify(told.body)).toContain('withdrew it and nothing was changed');
    await ctx.bot.work.idle();
    expect(await new ApprovalStore(ctx.database.db).pending({})).toEqual([]);
    expect(slack.messages.filter((m) => m.text?.includes('asks for approval'))).toEqual([]);
    expect(expiryPatches()).toEqual([]);
  });

  it('the second of two approvers hears it is approved already; a declined request can be asked again from the reminder', async () => {
    const { value } = await knownExpiry();
    await click(ctx.bot.url, ALICE, ACTIONS.reminderCancel, value);
    const first = await requestMessage();
    await click(ctx.bot.url, BOB, ACTIONS.approvalDecline, first.id, { message: first.message.ts });
    const opened = (await slack.waitFor(() => slack.callsTo('views.open')[0])).args.view;
    const view = typeof opened === 'string' ? JSON.parse(opened) : opened;
    await postSigned(
      ctx.bot.url,
      interactionBody(
        viewSubmission({
          user: BOB,
          view: { callback_id: VIEWS.decline, private_metadata: view.private_metadata },
          values: {},
        }),
      ),
    );
    await slack.waitFor(() => JSON.stringify(first.message.blocks).includes('Declined by') || undefined);
    // The same button, clicked again: a new request, not the declined one.
    await click(ctx.bot.url, ALICE, ACTIONS.reminderCancel, value);
    const second = await slack.waitFor(() =>
      slack.messages.find((m) => m !== first.message && m.text?.includes('asks for approval')),
    );
    const id = second.blocks!.find((b: any) => b.block_id === BLOCKS.approvalActions).elements[0].value;
    expect(id).not.toBe(first.id);
    await click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: second.ts });
    await privately('Approved: I am applying it now');
    await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === second.ts));
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: second.ts });
    await privately('approved and applied already');
    await ctx.bot.work.idle();
    expect(expiryPatches()).toHaveLength(1);
  });

  /** Alice's pending request `id` in C1 (bob approves), to schedule `keys` (sandy) in production. */
  const pendingIn = (store: ApprovalStore, id: string, keys = ['sandy']) =>
    store.create(
      {
        id,
        who: { userId: 'U1', userName: 'alice', channelId: 'C1' },
        request: {
          verb: 'add',
          resource: FLAG,
          targets: keys.map((key) => ({ contextKind: 'user', key })),
          expiresAt: T0 + 48 * H,
          targetType: 'included',
          grant: false,
          comment: 'via Slack by @alice (U1)',
        },
        approvers: ['U2'],
        needed: 1,
        channelId: 'C1',
        createdAt: T0,
        expiresAt: T0 + 24 * H,
      },
      T0,
    );

  /** The approvals service over `store`, for a test that announces a request itself. */
  const approvalsOf = (store: ApprovalStore) =>
    new Approvals({
      approvals: store,
      config: { approvers: undefined, needed: 1, timeoutMs: 24 * H },
      groupsOf: async () => [],
      now: () => new Date(ctx.clock),
      logger: silent,
    });

  it('a resumed job finds the request it posted before it stopped, by its mark, and posts none again', async () => {
    const store = new ApprovalStore(ctx.database.db);
    await pendingIn(store, 'a-1');
    const approval = (await store.get('a-1'))!;
    // Posted by the try that stopped, which never noted it.
    const posted = await ctx.bot.app.client.chat.postMessage({
      channel: 'C1',
      ...approvalRequestMessage(approval),
      metadata: jobMark('approval:a-1'),
    });
    const { told, surface } = recordingSurface(ctx.bot.app.client);
    await announceApproval(approval, surface, { approvals: approvalsOf(store), logger: silent }, true);
    expect(slack.messages.filter((m) => m.text?.includes('asks for approval'))).toHaveLength(1);
    expect((await store.get('a-1'))?.messageTs).toBe(posted.ts);
    expect(told).toHaveLength(1);
  });

  it('a request decided on its message before the message is noted: shown in place at once, and the requester told so, not that it waits', async () => {
    const store = new ApprovalStore(ctx.database.db);
    await pendingIn(store, 'a-race');
    // Bob declines from the message the moment it is in the channel, before the job notes it.
    const client = ctx.bot.app.client;
    const racing = {
      ...client,
      chat: {
        ...client.chat,
        postMessage: async (args: Parameters<typeof client.chat.postMessage>[0]) => {
          const posted = await client.chat.postMessage(args);
          await store.move('a-race', 'pending', 'declined', T0 + 1, { userId: 'U2', reason: 'no' });
          return posted;
        },
      },
    } as WebClient;
    const { told, surface } = recordingSurface(racing);
    await announceApproval((await store.get('a-race'))!, surface, {
      approvals: approvalsOf(store),
      logger: silent,
    });
    const message = slack.messages.find(
      (m) => m.text?.includes('asks for approval') || allText(m).includes('Declined'),
    )!;
    expect(allText(message)).toContain('Declined by <@U2>');
    expect((message.blocks ?? []).filter((b: any) => b.type === 'actions')).toEqual([]);
    expect(JSON.stringify(told)).toContain('Declined');
    expect(JSON.stringify(told)).not.toContain('waits for approval');
  });

  it('the form is held the same way, its reason shown to the approvers', async () => {
    const res = await submitFormIn(slack, ctx.bot.url);
    expect(res.status).toBe(200);
    const { message } = await requestMessage();
    expect(JSON.stringify(message.blocks)).toContain('in 2 weeks');
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'U1' && m.text?.includes('waits for approval')),
    );
    expect(expiryPatches()).toEqual([]);
  });

  it('survives a restart while it waits: approved after it, applied once', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await ctx.restart();
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts });
    await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === message.ts));
    await ctx.bot.work.idle();
    expect(expiryPatches()).toHaveLength(1);
  });

  it('shows approvers what waits for them on Home, with the buttons, and requesters what they asked', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { id } = await requestMessage();
    const grace = JSON.stringify(await openHome(slack, ctx.bot.url, GRACE.id));
    expect(grace).toContain('Waiting for your approval');
    expect(grace).toContain(ACTIONS.approvalApprove);
    expect(grace).toContain(id);
    const alice = JSON.stringify(await openHome(slack, ctx.bot.url, ALICE.id));
    expect(alice).toContain('Your requests waiting for approval');
    expect(alice).not.toContain(ACTIONS.approvalApprove);
    const mallory = JSON.stringify(await openHome(slack, ctx.bot.url, MALLORY.id));
    expect(mallory).not.toContain('Waiting for your approval');
    expect(mallory).not.toContain(ACTIONS.approvalApprove);
  });

  it('a --grant request says plainly that it gives access: which variation or list, until when', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks --grant --variation on');
    const { message } = await requestMessage();
    expect(allText(message)).toContain(
      '<@U1> asks to *give access*: add `sandy` to variation *on* of flag *new-checkout* in `default`/`production` until <!date^',
    );
    await expire(ctx.bot.url, 'segment beta-testers newbie in 2 weeks --grant --excluded');
    const segment = await slack.waitFor(() =>
      slack.messages.find((m) => m.text?.includes('asks for approval') && m.text.includes('beta-testers')),
    );
    expect(allText(segment)).toContain(
      '<@U1> asks to add `newbie` to the *excluded* targets of segment *beta-testers* in `default`/`production` until <!date^',
    );
    expect(allText(segment)).not.toContain('give access');
    expect(expiryPatches()).toEqual([]);
  });

  it('shows approvers every target: all 1,500 of a command, in the request itself', async () => {
    const keys = Array.from({ length: 1_500 }, (_, i) => `t${i}`);
    await expire(ctx.bot.url, `flag new-checkout ${keys.join(',')} in 2 weeks --grant --variation on`);
    const { message } = await requestMessage();
    expect(allText(message)).toContain('asks to *give access*: add 1,500 targets to variation *on*');
    expect(listedTargets(message, /`t\d+`/g)).toEqual(keys.map((k) => `\`${k}\``));
    expect(allText(message)).not.toMatch(/\d more/);
    await privately('waits for approval by');
    expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toEqual([]);
  });

  it('targets that cannot all fit in the request (1,500 keys of 200 characters) are listed in its thread, each once', async () => {
    const store = new ApprovalStore(ctx.database.db);
    const keys = Array.from({ length: 1_500 }, (_, i) => `user-${'x'.repeat(200)}-${i}`);
    await pendingIn(store, 'a-long', keys);
    const { told, surface } = recordingSurface(ctx.bot.app.client);
    await announceApproval((await store.get('a-long'))!, surface, {
      approvals: approvalsOf(store),
      logger: silent,
    });
    const { message } = await requestMessage();
    const thread = slack.messages.filter((m) => m.thread_ts === message.ts);
    expect(thread.length).toBeGreaterThan(0);
    const pattern = /`user-x+-\d+`/g;
    // In order, each once: the request's own list, then its thread's (Slack's limits are the fake's).
    expect([message, ...thread].flatMap((m) => listedTargets(m, pattern))).toEqual(
      keys.map((k) => `\`${k}\``),
    );
    const shown = listedTargets(message, pattern).length;
    expect(shown).toBeGreaterThan(400);
    expect(allText(message)).toContain(
      `and ${(1_500 - shown).toLocaleString('en-US')} more, listed in this thread`,
    );
    expect((await store.get('a-long'))?.messageTs).toBe(message.ts);
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told)).toContain('waits for approval by');
  });

  /** C9 then C1 watch production, whose LaunchDarkly holds an expiry of sandy: its mirrored id. */
  async function watchedExpiry() {
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      expirationDate: T0 + 30 * H,
      contextKind: 'user',
      contextKey: 'sandy',
      variationId: ld.variationId(PROJECT, 'new-checkout', 0),
    });
    await watchFrom(slack, ctx.bot.url, 'C9');
    ctx.clock += 1_000;
    await watchFrom(slack, ctx.bot.url, 'C1');
    const [mirrored] = (await new MirrorStore(ctx.database.db).upcomingIn(['C9'], ctx.clock, 10)).items;
    return homeChoiceValue('remove', mirrored!.id, mirrored!.expiresAt);
  }

  it('Cancel expiry on Home, on an expiry of a watched environment: asked in the channel that watched it first, applied once approved', async () => {
    const value = await watchedExpiry();
    slack.memberships.set(ALICE.id, ['C1', 'C9']);
    await chooseOnHome(slack, ctx.bot.url, ALICE, value);
    const message = await slack.waitFor(() =>
      slack.messages.find((m) => m.text?.includes('asks for approval')),
    );
    expect(message.channel).toBe('C9');
    expect(allText(message)).toContain('<@U1> asks to cancel the expiry of `sandy` on flag *new-checkout*');
    await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'U1' && m.text?.includes('waits for approval by')),
    );
    expect(slack.messages.filter((m) => allText(m).includes('<#>'))).toEqual([]);
    const id = message.blocks!.find((b: any) => b.block_id === BLOCKS.approvalActions).elements[0].value;
    await clickButton(ctx.bot.url, {
      user: GRACE,
      actionId: ACTIONS.approvalApprove,
      value: id,
      channel: 'C9',
      messageTs: message.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C9' && m.thread_ts === message.ts));
    await ctx.bot.work.idle();
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(expiryPatches()).toHaveLength(1);
  });

  it('Cancel expiry on Home, on a watched expiry: never asked in a watching channel the clicker is not in', async () => {
    const value = await watchedExpiry();
    slack.memberships.set(ALICE.id, ['C1']); // not in C9, which watched first
    await chooseOnHome(slack, ctx.bot.url, ALICE, value);
    const message = await slack.waitFor(() =>
      slack.messages.find((m) => m.text?.includes('asks for approval')),
    );
    expect(message.channel).toBe('C1');
    await ctx.bot.work.idle();
    expect(slack.messages.filter((m) => m.channel === 'C9' && m.text?.includes('asks for approval'))).toEqual(
      [],
    );
  });

  it('Cancel expiry on Home, on a watched expiry whose environment no channel watches any more: told plainly to use /expire in a channel', async () => {
    const value = await watchedExpiry();
    // Unwatched between the Home tab's listing and the click (the mirror still holds the expiry).
    await ctx.database.db.deleteFrom('watches').execute();
    await chooseOnHome(slack, ctx.bot.url, ALICE, value);
    const told = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'U1' && m.text?.includes(APPROVAL_NEWS.nowhere)),
    );
    expect(allText(told)).not.toContain('<#');
    await ctx.bot.work.idle();
    expect(slack.messages.filter((m) => m.text?.includes('asks for approval'))).toEqual([]);
    expect(await new ApprovalStore(ctx.database.db).pending({})).toEqual([]);
    expect(expiryPatches()).toEqual([]);
  });

  it('`/expire approvals` lists the channel’s pending requests, to the asker only', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    await requestMessage();
    await expire(ctx.bot.url, 'approvals', MALLORY);
    const listed = await privately('waits for approval in this channel');
    expect(JSON.stringify(listed.body)).toContain('<@U1> asks to schedule the expiry of');
  });
});

describe('approvals in Slack (two approvers needed)', () => {
  const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: { ...APPROVAL_ENV, APPROVALS_NEEDED: '2' } });

  it('waits for two distinct approvers; the same approver twice counts once', async () => {
    await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
    const { message, id } = await requestMessage();
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts });
    await privately('(1 of 2)');
    await click(ctx.bot.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts });
    await privately(APPROVAL_REFUSALS['already-approved']);
    expect(expiryPatches()).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('approved so far by <@U2>');
    await click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: message.ts });
    await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === message.ts));
    await ctx.bot.work.idle();
    const patches = expiryPatches();
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body.comment).toContain('@bob (U2), @grace (U7)');
  });
});

describe.each(DATABASES)('approvals in Slack, two replicas on %s', (_name, databaseUrl) => {
  const ctx = botPerTest(fakes, { databaseUrl, env: APPROVAL_ENV });

  it('two approvers clicking at once on two replicas apply it once', async () => {
    const other = await startBot(slack, ld, APPROVAL_ENV, {
      database: ctx.database,
      now: () => new Date(ctx.clock),
    });
    try {
      await expire(ctx.bot.url, 'flag new-checkout sandy in 2 weeks');
      const { message, id } = await requestMessage();
      await Promise.all([
        click(ctx.bot.url, GRACE, ACTIONS.approvalApprove, id, { message: message.ts }),
        click(other.url, BOB, ACTIONS.approvalApprove, id, { message: message.ts }),
      ]);
      await slack.waitFor(() => slack.messages.find((m) => m.thread_ts === message.ts));
      await Promise.all([ctx.bot.work.idle(), other.work.idle()]);
      expect(expiryPatches()).toHaveLength(1);
      expect(slack.messages.filter((m) => m.thread_ts === message.ts)).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});
