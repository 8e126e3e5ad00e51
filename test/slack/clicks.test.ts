import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '../../src/domain/vocabulary.js';
import { ALREADY_HANDLED, CLICK_IN_HAND } from '../../src/slack/blocks/reminder.js';
import { SAFETY_MESSAGES } from '../../src/slack/blocks/safety.js';
import { ACTIONS, VIEWS } from '../../src/slack/ids.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { clickIn, remindUnder, scheduleIn, submitFormIn } from '../helpers/channel-commands.js';
import { sqliteUrl } from '../helpers/databases.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { ALICE, BOB, GRACE, MALLORY, usersOf } from '../helpers/people.js';
import {
  type Clicker,
  commandBody,
  interactionBody,
  postSigned,
  viewSubmission,
} from '../helpers/slack-requests.js';

/**
 * A click is acted on as things stand when it is: Confirm asks the change policy again, and
 * several people clicking one button take turns — the change is made once, and nobody is dropped
 * without a word.
 */

const PRODUCTION = {
  kind: 'flag',
  projectKey: PROJECT,
  key: 'new-checkout',
  environmentKey: 'production',
} as const;
const STAGING = { ...PRODUCTION, environmentKey: 'staging' } as const;

const fakes = fakesPerFile({
  users: usersOf(ALICE, BOB, GRACE, MALLORY),
});
const { slack, ld } = fakes;
const POLICY = '*/production=U1,S0RELEASE; */staging=U1,U2';
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { CHANGE_POLICY: POLICY, PROTECTED_ENVIRONMENTS: 'production', REMINDER_LEAD_TIMES: '2m' },
});

/** A post to a response_url whose `text` (what notifications and screen readers show) matches. */
const responseUrlPost = (predicate: (text: string) => boolean) =>
  slack.waitFor(() => slack.responseUrlPosts.find((p) => predicate(String(p.body.text ?? ''))));

/** The refusal a person reads, naming the rule of CHANGE_POLICY that leaves them out. */
const refusal = (resource: ResourceRef, rule: string) =>
  SAFETY_MESSAGES.refused(resource, {
    project: '*',
    environment: resource.environmentKey,
    who: [],
    text: rule,
  });

const click = (user: Clicker, actionId: string, value: string, message?: { channel: string; ts: string }) =>
  clickIn(slack, ctx.bot.url, { user, actionId, value }, message);

describe('Confirm asks the change policy again', () => {
  it("the command's Confirm: a person the policy stopped allowing since the question is refused, nothing sent", async () => {
    await postSigned(
      ctx.bot.url,
      commandBody({ text: 'flag new-checkout sandy in 2 weeks', response_url: slack.responseUrl() }),
    );
    const question = await responseUrlPost((t) => t.includes('production is protected'));
    const id = question.body.blocks[1].elements[0].value as string;

    // The operator takes alice out of the rule (a redeploy with another CHANGE_POLICY).
    await ctx.start({ CHANGE_POLICY: '*/production=S0RELEASE' });
    await click(ALICE, ACTIONS.confirm, id);
    await responseUrlPost((t) => t === refusal(PRODUCTION, '*/production=S0RELEASE'));
    expect(ld.patches()).toEqual([]);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
  });

  it("the form's Confirm: a person no longer in the user group the rule names is refused, nothing sent", async () => {
    slack.groups.set('S0RELEASE', [GRACE.id]);
    const view = await pushedConfirmView(GRACE);

    // Grace leaves the group; the bot reads memberships at most five minutes old.
    slack.groups.set('S0RELEASE', []);
    ctx.clock += 5 * 60_000 + 1_000;
    const confirmed = await postSigned(
      ctx.bot.url,
      interactionBody(viewSubmission({ user: GRACE, view, values: {} })),
    );
    expect(confirmed.json()).toEqual({ response_action: 'clear' });
    const refused = refusal(PRODUCTION, '*/production=U1,S0RELEASE');
    const told = await slack.waitFor(() => slack.messages.find((m) => m.text === refused));
    expect(told.channel === GRACE.id || told.ephemeral).toBe(true);
    expect(ld.patches()).toEqual([]);
  });

  it('a person still allowed: Confirm applies the change', async () => {
    slack.groups.set('S0RELEASE', [GRACE.id]);
    const view = await pushedConfirmView(GRACE);
    ctx.clock += 5 * 60_000 + 1_000;
    await postSigned(ctx.bot.url, interactionBody(viewSubmission({ user: GRACE, view, values: {} })));
    await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1' && !m.ephemeral));
    expect(ld.patches()).toHaveLength(1);
  });
});

/** `person` submits the `/expire` form for production: the confirmation view pushed over it. */
async function pushedConfirmView(person: Clicker) {
  const pushed = (await submitFormIn(slack, ctx.bot.url, person)).json();
  expect(pushed.view.callback_id).toBe(VIEWS.confirm);
  expect(ld.patches()).toEqual([]);
  return pushed.view;
}

describe('two people clicking one button', () => {
  /** Sandy on staging expires in 3 minutes (scheduled by alice); the reminder a minute later. */
  async function reminder(): Promise<PostedMessage> {
    const result = await scheduleIn(
      slack,
      ctx.bot,
      ctx.clock,
      'flag new-checkout sandy in 3 minutes --env staging',
    );
    ctx.clock += 61_000;
    const posted = await remindUnder(fakes, ctx.database, ctx.clock, result);
    expect(posted).toBeDefined();
    return posted!;
  }
  const cancelOn = (reminder: PostedMessage, user: Clicker) =>
    click(
      user,
      ACTIONS.reminderCancel,
      reminder.blocks![1].elements.find((e: any) => e.action_id === ACTIONS.reminderCancel).value,
      { channel: reminder.channel, ts: reminder.ts },
    );
  const cancelPatches = () => ld.patches().filter((p) => JSON.stringify(p.body).includes('removeExpire'));
  const cancelled = (reminder: PostedMessage) =>
    slack.waitFor(() => (allText(reminder).includes('expiry cancelled') ? reminder : undefined));

  it('the first refused by the policy, the second allowed: done once for the second, the first told why', async () => {
    const shown = await reminder();
    const before = ld.patches().length;
    // Mallory's refusal is slow to reach her: her click is in hand when bob's comes.
    const slow = slack.hold((c) => c.method === 'response_url' && allText(c.args).includes('no_entry'));
    await cancelOn(shown, MALLORY);
    await slow.reached;
    await cancelOn(shown, BOB);
    await responseUrlPost((t) => t === CLICK_IN_HAND(MALLORY.id));
    expect(ld.patches()).toHaveLength(before);

    slow.release();
    await responseUrlPost((t) => t === refusal(STAGING, '*/staging=U1,U2'));
    expect(allText(await cancelled(shown))).toContain('by <@U2>');
    expect(cancelPatches()).toHaveLength(1);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'staging')).toEqual([]);
  });

  it('both allowed: done once, for the first; the second is told it is in hand, then that it was done', async () => {
    const shown = await reminder();
    // Alice's change is slow in LaunchDarkly: her click is in hand when bob's comes.
    const slow = ld.hold((r) => r.method === 'PATCH');
    await cancelOn(shown, ALICE);
    await slow.reached;
    await cancelOn(shown, BOB);
    await responseUrlPost((t) => t === CLICK_IN_HAND(ALICE.id));

    slow.release();
    expect(allText(await cancelled(shown))).toContain('by <@U1>');
    await responseUrlPost((t) => t === ALREADY_HANDLED);
    expect(cancelPatches()).toHaveLength(1);
  });

  it('one person clicking twice in the same moment is one job, told nothing extra', async () => {
    const shown = await reminder();
    await Promise.all([cancelOn(shown, BOB), cancelOn(shown, BOB)]);
    await cancelled(shown);
    await ctx.bot.work.idle();
    expect(cancelPatches()).toHaveLength(1);
    expect(slack.responseUrlPosts.map((p) => allText(p.body))).toEqual([]);
  });
});
