import { describe, expect, it } from 'vitest';
import { SHIFT_EXAMPLES, SHIFT_HELP } from '../../src/domain/shift.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { clickButton, commandBody, postSigned } from '../helpers/slack-requests.js';

const HOUR = 3_600_000;
const ALICE = { id: 'U1', name: 'alice' };
/** Saturday 7 March 2026, 17:00 in Los Angeles (PST, UTC−8): DST starts the next night. */
const SAT_5PM_PST = Date.parse('2026-03-08T01:00:00Z');
/** Monday 9 March 2026, 17:00 in Los Angeles, now PDT (UTC−7). */
const MON_5PM_PDT = Date.parse('2026-03-10T00:00:00Z');
const USER_PATH = '/api/v2/flags/default/new-checkout/expiring-user-targets/production';
const CONTEXT_PATH = '/api/v2/flags/default/new-checkout/expiring-targets/production';

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { PROTECTED_ENVIRONMENTS: 'staging' },
  clock: Date.parse('2026-03-02T18:00:00Z'),
});

async function expire(text: string) {
  const res = await postSigned(
    ctx.bot.url,
    commandBody({ text, user_id: ALICE.id, user_name: ALICE.name, response_url: slack.responseUrl() }),
  );
  expect(res.status).toBe(200);
  return res.body ? res.json() : undefined;
}

const channelMessage = (): Promise<PostedMessage> =>
  slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1' && !m.ephemeral));

const ephemeral = (predicate: (text: string) => boolean) =>
  slack.waitFor(() =>
    slack.responseUrlPosts.find((p) => p.body.response_type === 'ephemeral' && predicate(allText(p.body))),
  );

/** The `_id` of new-checkout's "on", which sandy, bob and acme are served (ids are per flag). */
const variation = () => ld.variationId(PROJECT, 'new-checkout', 0);

/** An expiry LaunchDarkly already holds for a target of new-checkout (served "on"). */
function scheduled(
  key: string,
  expirationDate: number,
  options: { contextKind?: string; env?: string; version?: number } = {},
) {
  return ld.setExpiring('flag', PROJECT, 'new-checkout', options.env ?? 'production', {
    contextKind: options.contextKind ?? 'user',
    contextKey: key,
    variationId: variation(),
    expirationDate,
    ...(options.version === undefined ? {} : { version: options.version }),
  });
}

const expiryOf = (key: string, env = 'production') =>
  ld.expiringTargets('flag', PROJECT, 'new-checkout', env).find((e) => e.contextKey === key);

describe('/expire extend', () => {
  it('moves each target by calendar days in the person’s zone, keeping the clock time across DST', async () => {
    scheduled('sandy', SAT_5PM_PST, { version: 3 });
    scheduled('bob', SAT_5PM_PST + HOUR);
    const ack = await expire('extend flag new-checkout sandy,bob 2 days');
    expect(allText(ack)).toContain('Extending 2 targets on flag new-checkout');

    const text = allText(await channelMessage());
    expect(text).toContain('<@U1> extended 2 targets on flag *new-checkout* by 2 days.');
    expect(text).toContain(`\`sandy\` (on) → <!date^${MON_5PM_PDT / 1000}^`);
    expect(text).toContain(`\`bob\` (on) → <!date^${(MON_5PM_PDT + HOUR) / 1000}^`);

    const patches = ld.patches();
    expect(patches).toHaveLength(1);
    expect(patches[0]!.path).toBe(USER_PATH);
    expect(patches[0]!.body.instructions).toEqual([
      {
        kind: 'updateExpireUserTargetDate',
        userKey: 'sandy',
        variationId: variation(),
        value: MON_5PM_PDT,
        version: 3,
      },
      {
        kind: 'updateExpireUserTargetDate',
        userKey: 'bob',
        variationId: variation(),
        value: MON_5PM_PDT + HOUR,
        version: 1,
      },
    ]);
    expect(patches[0]!.body.comment).toBe(
      'via Slack (acme) by @alice (U1) in #release: /expire extend flag new-checkout sandy,bob 2 days',
    );
    // Two calendar days here are 47 hours of elapsed time.
    expect(expiryOf('sandy')!.expirationDate - SAT_5PM_PST).toBe(47 * HOUR);
    expect(expiryOf('sandy')!.version).toBe(4);
  });

  it('an expiry scheduled through the bot is moved in its memory too: reminders follow the new time', async () => {
    // Look at this one target only.
    const remembered = async () =>
      (await ctx.bot.store.upcoming(0, { limit: 100, offset: 0 })).items.find(
        (e) =>
          e.resource.key === 'new-checkout' &&
          e.resource.environmentKey === 'production' &&
          e.target.key === 'sandy',
      );
    await expire('flag new-checkout sandy 2026-03-07 17:00');
    await channelMessage();
    expect(await remembered()).toMatchObject({ expiresAt: SAT_5PM_PST });
    slack.reset();

    await expire('extend flag new-checkout sandy 2 days');
    const message = await channelMessage();
    expect(allText(message)).toContain('<@U1> extended 1 target on flag *new-checkout* by 2 days.');
    expect(expiryOf('sandy')!.expirationDate).toBe(MON_5PM_PDT);
    for (let i = 0; i < 200 && (await remembered())?.messageTs !== message.ts; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await remembered()).toMatchObject({
      expiresAt: MON_5PM_PDT,
      channelId: 'C1',
      messageTs: message.ts,
    });
  });

  it.each(['36 hours', '+36h'])('"%s" is elapsed time, also across DST', async (duration) => {
    scheduled('sandy', SAT_5PM_PST, { version: 2 });
    await expire(`extend flag new-checkout sandy ${duration}`);
    expect(allText(await channelMessage())).toContain(
      '<@U1> extended 1 target on flag *new-checkout* by 36 hours.',
    );
    expect(ld.patches().map((p) => p.body.instructions)).toEqual([
      [
        {
          kind: 'updateExpireUserTargetDate',
          userKey: 'sandy',
          variationId: variation(),
          value: SAT_5PM_PST + 36 * HOUR,
          version: 2,
        },
      ],
    ]);
    expect(expiryOf('sandy')!.expirationDate).toBe(SAT_5PM_PST + 36 * HOUR);
  });

  it('a context target goes through updateExpiringTarget with its kind and version', async () => {
    scheduled('acme', SAT_5PM_PST, { contextKind: 'organization', version: 5 });
    await expire('extend flag new-checkout organization:acme 1 week');
    expect(allText(await channelMessage())).toContain('extended 1 target on flag *new-checkout* by 1 week.');
    const [patch] = ld.patches();
    expect(patch!.path).toBe(CONTEXT_PATH);
    expect(patch!.body.instructions).toEqual([
      {
        kind: 'updateExpiringTarget',
        contextKey: 'acme',
        contextKind: 'organization',
        variationId: variation(),
        // Saturday 14 March 2026, 17:00 PDT.
        value: Date.parse('2026-03-15T00:00:00Z'),
        version: 5,
      },
    ]);
  });

  it('a target without an expiry fails with a clear reason and nothing is sent for it', async () => {
    scheduled('sandy', SAT_5PM_PST);
    await expire('extend flag new-checkout sandy,bob 2 days');
    const text = allText(await channelMessage());
    expect(text).toContain(
      'Partly done: <@U1> extended 1 of 2 targets on flag *new-checkout* by 2 days; 1 failed.',
    );
    expect(text).toContain('`bob`: no expiry scheduled on new-checkout in production.');
    const instructions = ld.patches().flatMap((p) => p.body.instructions);
    expect(instructions).toHaveLength(1);
    expect(instructions[0]).toMatchObject({ userKey: 'sandy', value: MON_5PM_PDT });
    expect(expiryOf('bob')).toBeUndefined();
  });

  it('when no target has an expiry, nothing at all is sent and the channel says why', async () => {
    await expire('extend flag new-checkout sandy,bob 2 days');
    const text = allText(await channelMessage());
    expect(text).toContain(':x: Nothing extended on flag *new-checkout*: 2 targets failed.');
    expect(text).toContain('`sandy`, `bob`: no expiry scheduled on new-checkout in production.');
    expect(ld.patches()).toEqual([]);
  });

  it.each([
    ['soonish', `I read "soonish" as no duration. Say how much later, e.g. ${SHIFT_EXAMPLES}.`],
    ['next friday', `I read "next friday" as no duration. Say how much later, e.g. ${SHIFT_EXAMPLES}.`],
    ['61 months', '61 months is more than five years.'],
  ])('a bad duration (%j) is refused with the hint and nothing is sent', async (duration, problem) => {
    scheduled('sandy', SAT_5PM_PST);
    await expire(`extend flag new-checkout sandy ${duration}`);
    const reply = await ephemeral((t) => t.startsWith(':x:'));
    expect(reply.body.text).toBe(`:x: ${problem} Nothing was sent to LaunchDarkly.`);
    expect(ld.requests).toEqual([]);
    expect(slack.messages).toEqual([]);
  });

  it('a missing duration is refused at once with the usage', async () => {
    const ack = await expire('extend flag new-checkout sandy');
    expect(ack.response_type).toBe('ephemeral');
    expect(allText(ack)).toContain('How much later? Add a duration, e.g. "2 days", "1 week" or "+36h".');
    expect(allText(ack)).toContain('/expire extend flag|segment <key> <targets> <duration>');
    expect(ld.requests).toEqual([]);
  });

  it('/expire help lists extend and explains durations', async () => {
    const ack = await expire('help');
    const text = allText(ack);
    expect(text).toContain('/expire extend flag|segment <key> <targets> <duration> [options]');
    expect(text).toContain('/expire extend flag|segment <key> <targets> <duration> [options]');
    expect(text).toContain(SHIFT_HELP);
  });

  it('extends a segment’s target too', async () => {
    ld.setExpiring('segment', PROJECT, 'beta-testers', 'production', {
      contextKind: 'user',
      contextKey: 'sandy',
      targetType: 'included',
      expirationDate: SAT_5PM_PST,
    });
    await expire('extend segment beta-testers sandy 2 days');
    expect(allText(await channelMessage())).toContain(
      '<@U1> extended 1 target on segment *beta-testers* by 2 days.',
    );
    const [patch] = ld.patches();
    expect(patch!.path).toBe('/api/v2/segments/default/beta-testers/expiring-user-targets/production');
    expect(patch!.body.instructions).toEqual([
      expect.objectContaining({
        kind: 'updateExpireUserTargetDate',
        userKey: 'sandy',
        targetType: 'included',
        value: MON_5PM_PDT,
      }),
    ]);
    expect(ld.expiringTargets('segment', PROJECT, 'beta-testers', 'production')[0]!.expirationDate).toBe(
      MON_5PM_PDT,
    );
  });

  it('a protected environment asks first; Confirm sends the extension', async () => {
    scheduled('sandy', SAT_5PM_PST, { env: 'staging', version: 7 });
    await expire('extend flag new-checkout sandy 2 days --env staging');
    const question = await ephemeral((t) => t.includes('is a protected environment'));
    expect(allText(question.body)).toContain(
      ':warning: `staging` is a protected environment. Do you want to move later the expiry of `sandy` on flag *new-checkout* in `default`/`staging` by 2 days?',
    );
    expect(ld.patches()).toEqual([]);

    const id = question.body.blocks[1].elements[0].value as string;
    await clickButton(ctx.bot.url, {
      user: ALICE,
      actionId: ACTIONS.confirm,
      value: id,
      channel: 'C1',
      messageTs: '1.1',
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    expect(allText(await channelMessage())).toContain(
      '<@U1> extended 1 target on flag *new-checkout* by 2 days.',
    );
    expect(ld.patches().map((p) => [p.path, p.body.instructions])).toEqual([
      [
        '/api/v2/flags/default/new-checkout/expiring-user-targets/staging',
        [
          {
            kind: 'updateExpireUserTargetDate',
            userKey: 'sandy',
            variationId: variation(),
            value: MON_5PM_PDT,
            version: 7,
          },
        ],
      ],
    ]);
  });
});
