import { beforeEach, describe, expect, it } from 'vitest';
import { WATCH_FAILURES } from '../../src/services/watch.js';
import { KNOWN_LIST_WATCHED_UNKNOWN } from '../../src/slack/blocks/known-list.js';
import { WATCH_MESSAGES } from '../../src/slack/blocks/watch.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import type { PostedMessage } from '../helpers/fake-slack.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { commandBody, postSigned } from '../helpers/slack-requests.js';

const H = 3_600_000;
const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, {
  databaseUrl: sqliteUrl,
  env: { CHANGE_POLICY: '*/vault=U9;*/*=*' },
  clock: 'wall',
});

beforeEach(() => {
  // Set in LaunchDarkly's UI before anyone watched.
  ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
    contextKind: 'user',
    contextKey: 'sandy',
    variationId: ld.variationId(PROJECT, 'new-checkout', 0),
    expirationDate: Date.now() + 5 * H,
  });
  ld.setExpiring('flag', PROJECT, 'new-checkout', 'production', {
    contextKind: 'organization',
    contextKey: 'acme',
    variationId: ld.variationId(PROJECT, 'new-checkout', 0),
    expirationDate: Date.now() + 6 * H,
  });
  ld.setExpiring('segment', PROJECT, 'beta-testers', 'production', {
    contextKind: 'user',
    contextKey: 'bob',
    targetType: 'included',
    expirationDate: Date.now() + 7 * H,
  });
});
async function expire(text: string, fields: Record<string, string> = {}) {
  const res = await postSigned(
    ctx.bot.url,
    commandBody({ text, response_url: slack.responseUrl(), ...fields }),
  );
  expect(res.status).toBe(200);
  return res.body ? res.json() : undefined;
}
const channelMessage = (channel = 'C1'): Promise<PostedMessage> =>
  slack.waitFor(() => slack.messages.find((m) => m.channel === channel && !m.ephemeral));
const reply = (type: 'ephemeral' | 'in_channel') =>
  slack.waitFor(() => slack.responseUrlPosts.find((p) => p.body.response_type === type));

describe('/expire watch', () => {
  it('acks at once, then answers in the channel with what the first scan found', async () => {
    const ack = await expire('watch --env production');
    expect(ack).toEqual({
      response_type: 'ephemeral',
      text: WATCH_MESSAGES.starting({ projectKey: PROJECT, environmentKey: 'production' }),
    });
    const message = await channelMessage();
    expect(allText(message)).toContain(
      ':eyes: Following *production* (project `default`): 3 expiring targets on 1 flag and 1 segment.',
    );
    expect(allText(message)).toContain('Started by <@U1>');
    expect(await ctx.bot.watches.ofChannel('C1')).toMatchObject([
      { projectKey: PROJECT, environmentKey: 'production' },
    ]);

    // Again: no second scan, the same numbers.
    slack.reset();
    ld.requests.length = 0;
    await expire('watch');
    expect(allText(await channelMessage())).toContain('This channel already follows *production*');
    expect(ld.requests.map((r) => r.path)).toEqual([`/api/v2/projects/${PROJECT}/environments`]);
  });

  it('a second channel watching the same environment shares its scan', async () => {
    await expire('watch');
    await channelMessage();
    ld.requests.length = 0;
    await expire('watch', { channel_id: 'C2', channel_name: 'ops' });
    expect(allText(await channelMessage('C2'))).toContain('3 expiring targets on 1 flag and 1 segment');
    expect(ld.requests).toHaveLength(1);
  });

  it('needs change rights on the environment under CHANGE_POLICY', async () => {
    await expire('watch --env vault');
    const refused = await reply('ephemeral');
    expect(refused.body.text).toContain('vault');
    expect(await ctx.bot.watches.ofChannel('C1')).toEqual([]);
    expect(ld.requests).toEqual([]);
  });

  it('refuses an environment or project LaunchDarkly does not have, and bad options, in words', async () => {
    await expire('watch --env nowhere');
    const refused = await reply('ephemeral');
    expect(refused.body.text).toBe(
      WATCH_MESSAGES.refused(
        WATCH_FAILURES.noEnvironment({ projectKey: PROJECT, environmentKey: 'nowhere' }),
      ),
    );
    expect(await ctx.bot.watches.ofChannel('C1')).toEqual([]);
    const bad = await expire('watch --flag x');
    expect(bad.text).toContain('watch takes only --project and --env');
  });
});

describe('/expire list with watched environments', () => {
  /** C1 watches production; the bot schedules `bob` there; then U1 asks for the list. */
  async function listAfterWatching(asker: { memberOf: string[] } | 'slack fails') {
    await expire('watch');
    await channelMessage();
    slack.reset();
    await expire('flag new-checkout bob in 2 hours');
    await channelMessage();
    for (
      let i = 0;
      i < 100 && (await ctx.bot.store.upcoming(Date.now(), { limit: 1, offset: 0 })).total === 0;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    slack.reset();
    if (asker === 'slack fails') slack.failNext('users.conversations', 'internal_error');
    else slack.memberships.set('U1', asker.memberOf);
    await expire('list');
    const text = allText((await reply('ephemeral')).body);
    return { text, lines: text.split('\n').filter((l) => l.startsWith('•')) };
  }
  const OWN = '`bob` (on) on flag *new-checkout* · `default`/`production` · by <@U1>';

  it('a member of a watching channel sees its expiries with who set them, the bot’s own once, soonest first', async () => {
    const { text, lines } = await listAfterWatching({ memberOf: ['C1'] });
    expect(text).toContain('(1–4 of 4)');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(OWN);
    // Set before the watch: the scan cannot know by whom.
    expect(lines[1]).toContain(
      '`sandy` on flag *new-checkout* · `default`/`production` · :eyes: set in LaunchDarkly',
    );
    expect(lines[2]).toContain('`organization:acme` on flag *new-checkout*');
    expect(lines[3]).toContain('`bob` (included) on segment *beta-testers*');
    expect(slack.callsTo('users.conversations').at(-1)?.args).toMatchObject({ user: 'U1' });
  });

  it('a person in no watching channel sees only what was scheduled through the bot, as on Home', async () => {
    const { text, lines } = await listAfterWatching({ memberOf: ['C2'] });
    expect(text).toContain('(1–1 of 1)');
    expect(lines).toEqual([expect.stringContaining(OWN)]);
    expect(text).not.toContain(':eyes:');
    expect(text).not.toContain(KNOWN_LIST_WATCHED_UNKNOWN);
  });

  it('when Slack cannot say which channels the asker is in: the bot’s own and one line saying so', async () => {
    const { text, lines } = await listAfterWatching('slack fails');
    expect(lines).toEqual([expect.stringContaining(OWN)]);
    expect(text.split(KNOWN_LIST_WATCHED_UNKNOWN)).toHaveLength(2);
  });
});

describe('/expire watching and unwatch', () => {
  it('lists what the channel follows, to anyone; unwatch stops it', async () => {
    expect((await expire('watching')) ?? {}).toBeDefined();
    expect((await reply('ephemeral')).body.text).toBe(WATCH_MESSAGES.none);

    await expire('watch');
    await channelMessage();
    slack.reset();
    await expire('watching', { user_id: 'U7', user_name: 'guest' });
    const listed = await reply('ephemeral');
    expect(allText(listed.body)).toContain(
      '*production* (project `default`): 3 expiring targets on 1 flag and 1 segment',
    );
    expect(allText(listed.body)).toContain('by <@U1>');

    slack.reset();
    await expire('unwatch --env production');
    const stopped = await reply('in_channel');
    expect(allText(stopped.body)).toContain('<@U1> stopped this channel following *production*');
    expect(await ctx.bot.watches.ofChannel('C1')).toEqual([]);
    expect(
      await ctx.bot.mirror.counts({ projectKey: PROJECT, environmentKey: 'production' }, Date.now()),
    ).toEqual({
      targets: 0,
      flags: 0,
      segments: 0,
    });

    slack.reset();
    await expire('unwatch');
    expect((await reply('ephemeral')).body.text).toBe(
      WATCH_MESSAGES.notWatching({ projectKey: PROJECT, environmentKey: 'production' }),
    );
  });

  it('unwatch needs change rights too', async () => {
    await expire('unwatch --env vault');
    expect((await reply('ephemeral')).body.text).toContain('vault');
  });
});
