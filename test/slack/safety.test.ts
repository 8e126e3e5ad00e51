import { beforeAll, describe, expect, it } from 'vitest';
import { SAFETY_MESSAGES } from '../../src/slack/blocks/safety.js';
import { ACTIONS, VIEWS } from '../../src/slack/ids.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { submitFormIn } from '../helpers/channel-commands.js';
import { sqliteUrl } from '../helpers/databases.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { ALICE, GRACE, MALLORY, usersOf } from '../helpers/people.js';
import {
  clickButton,
  commandBody,
  interactionBody,
  postSigned,
  viewSubmission,
} from '../helpers/slack-requests.js';

const fakes = fakesPerFile({ users: usersOf(ALICE, MALLORY, GRACE) });
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: {
    CHANGE_POLICY: '*/production=U1,S0RELEASE; */vault=U1; */staging=*',
    PROTECTED_ENVIRONMENTS: 'production',
  },
});
beforeAll(() => {
  slack.groups.set('S0RELEASE', ['U7']);
});

async function expire(text: string, user = ALICE, trigger = slack.trigger()) {
  const res = await postSigned(
    ctx.bot.url,
    commandBody({
      text,
      user_id: user.id,
      user_name: user.name,
      response_url: slack.responseUrl(),
      trigger_id: trigger,
    }),
  );
  expect(res.status).toBe(200);
  return res;
}

const ephemeral = (predicate: (text: string) => boolean) =>
  slack.waitFor(() =>
    slack.responseUrlPosts.find(
      (p) => p.body.response_type === 'ephemeral' && predicate(JSON.stringify(p.body)),
    ),
  );

async function clickConfirm(user: { id: string; name: string }, actionId: string, id: string) {
  return clickButton(ctx.bot.url, {
    user,
    actionId,
    value: id,
    channel: 'C1',
    messageTs: '1.1',
    triggerId: slack.trigger(),
    responseUrl: slack.responseUrl(),
  });
}

async function askToConfirm(text = 'flag new-checkout sandy in 2 weeks') {
  await expire(text);
  const question = await ephemeral((t) => t.includes('is a protected environment'));
  return question.body.blocks[1].elements[0].value as string;
}

describe('who may change what (CHANGE_POLICY)', () => {
  it('refuses, naming the rule, and sends nothing to LaunchDarkly', async () => {
    await expire('flag new-checkout sandy in 2 weeks', MALLORY);
    const reply = await ephemeral((t) => t.includes('no_entry'));
    expect(reply.body.text).toBe(
      ':no_entry: You may not change `production` in project `default`: the rule `*/production=U1,S0RELEASE` of CHANGE_POLICY does not include you. Nothing was sent to LaunchDarkly.',
    );
    expect(ld.requests).toEqual([]);
  });

  it('refuses an environment no rule covers', async () => {
    await expire('flag new-checkout sandy in 2 weeks --env test', ALICE);
    const reply = await ephemeral((t) => t.includes('no_entry'));
    expect(reply.body.text).toContain('No rule of CHANGE_POLICY lets anyone change `test`');
    expect(ld.requests).toEqual([]);
  });

  it('allows a member of a named user group, and everyone where the rule says *', async () => {
    await expire('flag new-checkout sandy in 2 weeks --env staging', MALLORY);
    expect(await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'))).toBeTruthy();
    slack.reset();
    await expire('flag new-checkout sandy in 2 weeks', { id: 'U7', name: 'grace' });
    await ephemeral((t) => t.includes('is a protected environment'));
  });

  it('lets everyone read', async () => {
    await expire('list flag new-checkout', MALLORY);
    await ephemeral((t) => t.includes('Nothing is scheduled to expire on flag new-checkout'));
  });
});

describe('protected environments', () => {
  it('asks first; only Confirm by the asker sends the patch, once', async () => {
    const id = await askToConfirm();
    expect(ld.patches()).toEqual([]);

    await clickConfirm(MALLORY, ACTIONS.confirm, id);
    await ephemeral((t) => t.includes('Only <@U1> can confirm'));
    expect(ld.patches()).toEqual([]);

    await Promise.all([clickConfirm(ALICE, ACTIONS.confirm, id), clickConfirm(ALICE, ACTIONS.confirm, id)]);
    await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'));
    await ephemeral((t) => t.includes('expired or was already used'));
    expect(ld.patches()).toHaveLength(1);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
  });

  it('Cancel sends nothing, and the confirmation cannot be used after', async () => {
    const id = await askToConfirm();
    await clickConfirm(ALICE, ACTIONS.cancelConfirm, id);
    await ephemeral((t) => t.includes(SAFETY_MESSAGES.cancelled));
    await clickConfirm(ALICE, ACTIONS.confirm, id);
    await ephemeral((t) => t.includes('expired or was already used'));
    expect(ld.patches()).toEqual([]);
  });

  it('a confirmation expires after ten minutes', async () => {
    const id = await askToConfirm();
    ctx.clock += 10 * 60_000 + 1;
    await clickConfirm(ALICE, ACTIONS.confirm, id);
    await ephemeral((t) => t.includes('expired or was already used'));
    expect(ld.patches()).toEqual([]);
  });

  it('an environment LaunchDarkly marks critical is protected too', async () => {
    await expire('flag new-checkout sandy in 2 weeks --env vault');
    await ephemeral((t) => t.includes('`vault` is a protected environment'));
    expect(ld.patches()).toEqual([]);
  });

  it('the modal asks the same, in a view pushed over the form', async () => {
    const res = await submitFormIn(slack, ctx.bot.url);
    const pushed = res.json();
    expect(pushed.response_action).toBe('push');
    expect(pushed.view.callback_id).toBe(VIEWS.confirm);
    expect(ld.patches()).toEqual([]);
    const confirmed = await postSigned(
      ctx.bot.url,
      interactionBody(viewSubmission({ user: ALICE, view: pushed.view, values: {} })),
    );
    expect(confirmed.json()).toEqual({ response_action: 'clear' });
    await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'));
    expect(ld.patches()).toHaveLength(1);
  });
});

describe('idempotency', () => {
  it('a command delivered twice is applied once', async () => {
    const trigger = slack.trigger();
    const body = commandBody({
      text: 'flag new-checkout sandy in 2 weeks --env staging',
      response_url: slack.responseUrl(),
      trigger_id: trigger,
    });
    expect((await postSigned(ctx.bot.url, body)).status).toBe(200);
    // Slack's redelivery of the same request.
    const again = await postSigned(ctx.bot.url, body, {
      headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
    });
    expect(again.status).toBe(200);
    await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'));
    await new Promise((r) => setTimeout(r, 100));
    expect(ld.patches()).toHaveLength(1);
    expect(slack.messages.filter((m) => m.channel === 'C1')).toHaveLength(1);
  });
});
