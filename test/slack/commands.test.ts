import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { LD_MESSAGES } from '../../src/services/ld-errors.js';
import { startBot } from '../helpers/bot.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { errorFor } from '../helpers/fake-launchdarkly.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

const fakes = fakesPerFile({
  users: { U2: { tz: 'Asia/Kolkata', name: 'ravi' }, U3: { tz: null, name: 'nobody-tz' } },
});
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { DEFAULT_TIME_ZONE: 'Europe/Berlin' },
  clock: 'wall',
});

/** Sends `/expire <text>` as alice in #release and returns the ack body. */
async function expire(text: string, fields: Record<string, string> = {}) {
  const res = await postSigned(
    ctx.bot.url,
    commandBody({ text, response_url: slack.responseUrl(), ...fields }),
  );
  expect(res.status).toBe(200);
  return { ack: res.body ? res.json() : undefined, ms: res.ms };
}

function channelMessage(channel = 'C1'): Promise<PostedMessage> {
  return slack.waitFor(() => slack.messages.find((m) => m.channel === channel && !m.ephemeral));
}

function ephemeralReply() {
  return slack.waitFor(() => slack.responseUrlPosts.find((p) => p.body.response_type === 'ephemeral'));
}

const variation = (index: number) => ld.variationId(PROJECT, 'new-checkout', index);
const userTargetsPath = '/api/v2/flags/default/new-checkout/expiring-user-targets/production';

describe('/expire add on a flag', () => {
  it('schedules users on the variation they are served and posts who, what, where and when in the channel', async () => {
    const { ack } = await expire('flag new-checkout sandy,bob in 2 weeks');
    expect(ack).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Scheduling 2 targets'),
    });

    const message = await channelMessage();
    const text = allText(message);
    expect(text).toContain('<@U1> scheduled 2 targets on flag *new-checkout* to expire <!date^');
    expect(text).toContain('Project `default` · environment `production`');
    expect(text).toMatch(/\(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(text).toContain('`sandy` (on), `bob` (on)');

    const [patch] = ld.patches();
    expect(patch!.path).toBe(userTargetsPath);
    const expected = DateTime.now().setZone('America/Los_Angeles').plus({ weeks: 2 }).toMillis();
    expect(patch!.body.instructions).toEqual([
      {
        kind: 'addExpireUserTargetDate',
        userKey: 'sandy',
        variationId: variation(0),
        value: expect.any(Number),
      },
      {
        kind: 'addExpireUserTargetDate',
        userKey: 'bob',
        variationId: variation(0),
        value: expect.any(Number),
      },
    ]);
    expect(Math.abs(patch!.body.instructions[0].value - expected)).toBeLessThan(60_000);
    expect(patch!.body.comment).toBe(
      'via Slack (acme) by @alice (U1) in #release: /expire flag new-checkout sandy,bob in 2 weeks',
    );
    expect(
      ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production').map((e) => e.contextKey),
    ).toEqual(['sandy', 'bob']);
  });

  it('sends contexts to the context endpoint and users to the user endpoint in one command', async () => {
    await expire('add flag new-checkout sandy,organization:acme tomorrow 9am');
    const text = allText(await channelMessage());
    expect(text).toContain('scheduled 2 targets');
    expect(
      ld
        .patches()
        .map((p) => p.path)
        .sort(),
    ).toEqual(['/api/v2/flags/default/new-checkout/expiring-targets/production', userTargetsPath]);
    const context = ld.patches().find((p) => p.path.endsWith('/expiring-targets/production'))!;
    expect(context.body.instructions).toEqual([
      {
        kind: 'addExpiringTarget',
        contextKey: 'acme',
        contextKind: 'organization',
        variationId: variation(0),
        value: DateTime.now()
          .setZone('America/Los_Angeles')
          .plus({ days: 1 })
          .set({ hour: 9, minute: 0, second: 0, millisecond: 0 })
          .toMillis(),
      },
    ]);
  });

  it('reads the time in the asker’s own zone, or the default zone when Slack has none', async () => {
    await expire('flag new-checkout sandy tomorrow 9am', { user_id: 'U2', user_name: 'ravi' });
    await channelMessage();
    const kolkata = DateTime.now()
      .setZone('Asia/Kolkata')
      .plus({ days: 1 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    // On a busy machine the first message is the progress one, posted before the change is sent.
    const patch = await slack.waitFor(() => ld.patches()[0]);
    expect(patch.body.instructions[0].value).toBe(kolkata.toMillis());

    slack.reset();
    await expire('flag new-checkout bob tomorrow 9am', { user_id: 'U3', user_name: 'nobody-tz' });
    await channelMessage();
    const berlin = DateTime.now()
      .setZone('Europe/Berlin')
      .plus({ days: 1 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    expect((await slack.waitFor(() => ld.patches()[1])).body.instructions[0].value).toBe(berlin.toMillis());
  });

  it('finds each target’s variation from the flag’s current targets', async () => {
    await expire('flag new-checkout sandy,eve in 2 weeks');
    const text = allText(await channelMessage());
    expect(text).toContain('`sandy` (on), `eve` (off)');
    expect(ld.patches()[0]!.body.instructions.map((i: any) => i.variationId)).toEqual([
      variation(0),
      variation(1),
    ]);
  });

  it('says plainly when it is partly done and why each target failed', async () => {
    await expire('flag new-checkout sandy,nobody in 2 weeks');
    const text = allText(await channelMessage());
    expect(text).toContain(':warning: Partly done: <@U1> scheduled 1 of 2 targets');
    expect(text).toContain(
      '`nobody`: not individually targeted on new-checkout in production — add --grant --variation &lt;v&gt;.',
    );
    expect(ld.patches()[0]!.body.instructions).toHaveLength(1);
  });

  it('lists LaunchDarkly’s own message for an instruction that failed', async () => {
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'bob',
      variationId: variation(0),
      expirationDate: Date.now() + 86_400_000,
    });
    await expire('flag new-checkout sandy,bob in 2 weeks');
    const text = allText(await channelMessage());
    expect(text).toContain('`bob`: bob already has a scheduled removal; update it instead');
  });

  it('--grant adds missing targets on the given variation first, then schedules them', async () => {
    await expire('flag new-checkout zoe,organization:globex in 2 weeks --grant --variation off');
    const text = allText(await channelMessage());
    expect(text).toContain('scheduled 2 targets');
    expect(text).toContain('`zoe` (off, granted)');
    const [grant, ...expiries] = ld.patches();
    expect(grant!.path).toBe('/api/v2/flags/default/new-checkout');
    expect(grant!.body).toMatchObject({
      environmentKey: 'production',
      instructions: [
        { kind: 'addTargets', variationId: variation(1), contextKind: 'user', values: ['zoe'] },
        { kind: 'addTargets', variationId: variation(1), contextKind: 'organization', values: ['globex'] },
      ],
    });
    expect(expiries).toHaveLength(2);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production')).toContainEqual({
      contextKind: 'user',
      variation: 1,
      values: ['eve', 'zoe'],
    });
  });

  it('a target whose grant fails is not scheduled and says why', async () => {
    ld.fail({
      status: 400,
      body: { code: 'invalid_request', message: 'Cannot target zoe to multiple variations' },
      match: (r) => r.method === 'PATCH' && r.path === '/api/v2/flags/default/new-checkout',
    });
    await expire('flag new-checkout sandy,zoe in 2 weeks --grant --variation on');
    const text = allText(await channelMessage());
    expect(text).toContain('Partly done');
    expect(text).toContain(
      '`zoe`: could not be added to targeting: LaunchDarkly refused the request: Cannot target zoe to multiple variations',
    );
    expect(
      ld
        .patches()
        .at(-1)!
        .body.instructions.map((i: any) => i.userKey),
    ).toEqual(['sandy']);
  });

  it('an unknown --variation is refused before anything changes', async () => {
    await expire('flag new-checkout zoe in 2 weeks --grant --variation purple');
    const text = allText(await channelMessage());
    expect(text).toContain('new-checkout has no variation "purple". Its variations are 0: on, 1: off.');
    expect(ld.patches()).toEqual([]);
  });
});

describe('segments', () => {
  it('schedules included users and contexts, and excluded ones with --excluded', async () => {
    await expire('segment beta-testers sandy,organization:acme in 2 weeks');
    expect(allText(await channelMessage())).toContain('`sandy` (included), `organization:acme` (included)');
    slack.reset();
    await expire('segment beta-testers mallory in 2 weeks --excluded');
    expect(allText(await channelMessage())).toContain('`mallory` (excluded)');
    const kinds = ld
      .patches()
      .flatMap((p) => p.body.instructions.map((i: any) => `${i.kind}:${i.targetType}`));
    expect(kinds).toEqual([
      'addExpireUserTargetDate:included',
      'addExpiringTarget:included',
      'addExpireUserTargetDate:excluded',
    ]);
  });

  it('tells which list a target is really in', async () => {
    await expire('segment beta-testers sandy in 2 weeks --excluded');
    expect(allText(await channelMessage())).toContain(
      '`sandy`: included, not excluded, in segment beta-testers in production — drop --excluded.',
    );
    expect(ld.patches()).toEqual([]);
  });

  it('--grant includes a missing target first', async () => {
    await expire('segment beta-testers newbie in 1 week --grant');
    expect(allText(await channelMessage())).toContain('`newbie` (included, granted)');
    expect(ld.patches()[0]!.path).toBe('/api/v2/segments/default/production/beta-testers');
    expect(ld.segmentMembers(PROJECT, 'production', 'beta-testers', 'included').get('user')).toContain(
      'newbie',
    );
  });
});

describe('update, remove and list', () => {
  async function scheduleSandy() {
    await expire('flag new-checkout sandy in 2 weeks');
    await channelMessage();
    slack.reset();
  }

  it('update moves an expiry, sending the target’s current version', async () => {
    await scheduleSandy();
    const before = { ...ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')[0]! };
    await expire('update flag new-checkout sandy in 3 weeks');
    expect(allText(await channelMessage())).toContain(
      '<@U1> rescheduled 1 target on flag *new-checkout* to expire',
    );
    const update = ld.patches().at(-1)!;
    expect(update.body.instructions).toEqual([
      {
        kind: 'updateExpireUserTargetDate',
        userKey: 'sandy',
        variationId: variation(0),
        value: expect.any(Number),
        version: before!.version,
      },
    ]);
    expect(
      ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')[0]!.expirationDate,
    ).toBeGreaterThan(before!.expirationDate + 6 * 86_400_000);
  });

  it('update of something not scheduled says to use add', async () => {
    await expire('update flag new-checkout sandy in 3 weeks');
    expect(allText(await channelMessage())).toContain(
      '`sandy`: no expiry scheduled on new-checkout in production — use add to schedule one.',
    );
    expect(ld.patches()).toEqual([]);
  });

  it('remove cancels the expiry and keeps the target', async () => {
    await scheduleSandy();
    await expire('remove flag new-checkout sandy');
    expect(allText(await channelMessage())).toContain(
      '<@U1> cancelled the expiry of 1 target on flag *new-checkout*.',
    );
    expect(ld.patches().at(-1)!.body.instructions).toEqual([
      { kind: 'removeExpireUserTargetDate', userKey: 'sandy', variationId: variation(0) },
    ]);
    expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toEqual([]);
    expect(ld.flagTargets(PROJECT, 'new-checkout', 'production')[0]!.values).toContain('sandy');
  });

  it('list shows what LaunchDarkly has scheduled, every target once, soonest first, to the asker only', async () => {
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'organization',
      contextKey: 'acme',
      variationId: variation(0),
      expirationDate: Date.now() + 3 * 86_400_000,
    });
    ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
      contextKind: 'user',
      contextKey: 'eve',
      variationId: variation(1),
      expirationDate: Date.now() + 86_400_000,
    });
    const { ack } = await expire('list flag new-checkout');
    expect(ack).toBeUndefined();
    const reply = await ephemeralReply();
    const text = allText(reply.body);
    expect(text).toContain('2 targets scheduled to expire on flag new-checkout');
    expect(text.indexOf('`eve` (off)')).toBeLessThan(text.indexOf('`organization:acme` (on)'));
    expect(ld.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        userTargetsPath,
        '/api/v2/flags/default/new-checkout/expiring-targets/production',
      ]),
    );
    expect(slack.messages).toEqual([]);
  });

  it('list of a segment names the target type', async () => {
    ld.setExpiring('segment', PROJECT, 'beta-testers', 'production', {
      contextKind: 'user',
      contextKey: 'mallory',
      targetType: 'excluded',
      expirationDate: Date.now() + 86_400_000,
    });
    await expire('list segment beta-testers');
    expect(allText((await ephemeralReply()).body)).toContain('`mallory` (excluded)');
  });
});

describe('LaunchDarkly errors become sentences', () => {
  const ref = {
    kind: 'flag' as const,
    projectKey: PROJECT,
    key: 'new-checkout',
    environmentKey: 'production',
  };
  it.each([
    [401, LD_MESSAGES.unauthorized],
    [403, LD_MESSAGES.forbidden(ref)],
    [404, LD_MESSAGES.notFound(ref)],
    [405, LD_MESSAGES.approval(ref, errorFor(405).message)],
  ])('%i', async (status, sentence) => {
    ld.fail({ status, times: 10, headers: { 'Retry-After': '0' }, match: (r) => r.method === 'PATCH' });
    await expire('flag new-checkout sandy in 2 weeks');
    const text = allText(await channelMessage());
    expect(text).toContain(
      `:x: Nothing scheduled on flag *new-checkout*: ${sentence.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`,
    );
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it.each([409, 429, 500])(
    '%i is retried: the person hears that it waits, then the change is applied once',
    async (status) => {
      // The client itself waits out four 429s; the fifth reaches the change, which is tried again.
      const times = status === 429 ? 5 : 1;
      ld.fail({ status, times, headers: { 'Retry-After': '0' }, match: (r) => r.method === 'PATCH' });
      await expire('flag new-checkout sandy in 2 weeks');
      const notice = await slack.waitFor(() =>
        slack.responseUrlPosts.find((p) => String(p.body.text).includes('I will try again')),
      );
      expect(notice.body.response_type).toBe('ephemeral');
      // The try after the wait shows its progress at once (the person has waited), then the result.
      const result = await slack.waitFor(() =>
        slack.messages.find((m) => m.channel === 'C1' && allText(m).includes('<@U1> scheduled 1 target')),
      );
      expect(allText(result)).toContain('<@U1> scheduled 1 target on flag *new-checkout*');
      expect(slack.messages.filter((m) => m.channel === 'C1' && !m.ephemeral)).toEqual([result]);
      expect(ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production')).toHaveLength(1);
    },
  );

  it('an unknown flag is a 404 read before any change', async () => {
    await expire('flag no-such-flag sandy in 2 weeks');
    expect(allText(await channelMessage())).toContain(
      'LaunchDarkly has no flag no-such-flag in project default, environment production.',
    );
    expect(ld.patches()).toEqual([]);
  });
});

describe('replies', () => {
  it('falls back to the response_url where the bot is not in the channel, and in DMs', async () => {
    slack.notInChannel.add('C9');
    await expire('flag new-checkout sandy in 2 weeks', { channel_id: 'C9', channel_name: 'private-ops' });
    const post = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.response_type === 'in_channel'),
    );
    expect(allText(post.body)).toContain('<@U1> scheduled 1 target on flag *new-checkout*');

    slack.reset();
    await expire('flag new-checkout bob in 2 weeks', { channel_id: 'D123', channel_name: 'directmessage' });
    const dm = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => p.body.response_type === 'in_channel'),
    );
    expect(allText(dm.body)).toContain('scheduled 1 target');
    expect(ld.patches().at(-1)!.body.comment).toBe(
      'via Slack (acme) by @alice (U1): /expire flag new-checkout bob in 2 weeks',
    );
  });

  it('refuses a time it cannot read, ephemerally, and sends nothing to LaunchDarkly', async () => {
    await expire('flag new-checkout sandy 3pm please');
    const reply = await ephemeralReply();
    expect(reply.body.text).toContain('I understood only');
    expect(reply.body.text).toContain('Nothing was sent to LaunchDarkly.');
    expect(ld.requests).toEqual([]);
  });

  it.each([
    ['frobnicate flag x sandy tomorrow', 'I don\'t know "frobnicate"'],
    ['flag', 'Which flag?'],
    ['flag new-checkout', 'Which targets?'],
    ['flag new-checkout sandy', 'When should it expire?'],
    ['flag new-checkout sandy tomorrow --colour red', "I don't know the option --colour"],
    ['flag bad!key sandy tomorrow', '"bad!key" is not a valid flag key'],
    ['flag new-checkout kind:x tomorrow', 'context kind LaunchDarkly does not accept'],
    ['remove flag new-checkout sandy tomorrow', 'remove takes no time'],
    ['flag new-checkout sandy tomorrow --excluded', '--excluded is for segments'],
    ['update flag new-checkout sandy tomorrow --grant', '--grant goes with add'],
    ['list flag new-checkout sandy', 'list takes only the flag key'],
  ])('%j is refused at once with the usage, nothing sent', async (text, problem) => {
    const { ack } = await expire(text);
    expect(ack.response_type).toBe('ephemeral');
    expect(allText(ack)).toContain(problem);
    expect(allText(ack)).toContain('/expire [add] flag <flag> <targets> <when> [options]');
    expect(ld.requests).toEqual([]);
  });

  it('escapes what people typed so nobody is pinged or misled', async () => {
    const { ack } = await expire('flag <!channel> sandy tomorrow');
    expect(allText(ack)).toContain('&lt;!channel&gt;');
    expect(allText(ack)).not.toContain('<!channel>');
  });

  it('500 targets in one command still make one valid message', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    ld.addFlag(PROJECT, {
      key: 'bulk',
      targets: { production: [{ variation: 0, values: keys.slice(0, 250) }] },
    });
    await expire(`flag bulk ${keys.join(',')} in 2 weeks`);
    const message = await channelMessage();
    const text = allText(message);
    expect(text).toContain('Partly done: <@U1> scheduled 250 of 500 targets');
    expect(text).toContain('`user-269` and 230 more: not individually targeted on bulk in production');
    expect(message.blocks!.length).toBeLessThanOrEqual(50);
    expect(ld.patches()).toHaveLength(1);
  });
});

describe('the ack never waits for LaunchDarkly', () => {
  it('acks well under a second while LaunchDarkly takes 2.5 s, then posts the result', async () => {
    ld.delayMs = 2_500;
    const { ms, ack } = await expire('flag new-checkout sandy in 2 weeks');
    expect(ms).toBeLessThan(1_000);
    expect(ack.text).toContain('Scheduling 1 target');
    const text = allText(
      await slack.waitFor(
        () => slack.messages.find((m) => m.channel === 'C1' && /scheduled 1 target/.test(allText(m))),
        12_000,
      ),
    );
    expect(text).toContain('scheduled 1 target');
  }, 20_000);

  it('shows progress on long work by posting early and updating in place', async () => {
    const fast = await startBot(slack, ld, {}, { progressAfterMs: 50 });
    try {
      ld.delayMs = 400;
      const res = await postSigned(
        fast.url,
        commandBody({ text: 'flag new-checkout sandy,bob in 2 weeks', response_url: slack.responseUrl() }),
      );
      expect(res.status).toBe(200);
      const message = await slack.waitFor(
        () =>
          slack.messages.find((m) => m.channel === 'C1' && allText(m).includes('<@U1> scheduled 2 targets')),
        10_000,
      );
      const posts = slack.callsTo('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(posts[0]!.args.text).toMatch(/Scheduling 2 targets on flag new-checkout… 0 done/);
      expect(slack.callsTo('chat.update').at(-1)!.args.ts).toBe(message.ts);
    } finally {
      await fast.stop();
    }
  }, 20_000);
});
