import { describe, expect, it } from 'vitest';
import { LOOK_ALIKE_HEADING } from '../../src/slack/blocks/look-alikes.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { PROJECT } from '../helpers/ld-fixtures.js';
import { allText } from '../helpers/message-text.js';
import { clickButton, commandBody, postSigned } from '../helpers/slack-requests.js';

const ALICE = { id: 'U1', name: 'alice' };
const SANDY_CYRILLIC = 's\u0430ndy';
const FLAGGED = '• `sаndy` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic)';

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, env: { PROTECTED_ENVIRONMENTS: 'production' } });

describe('a look-alike key through the real app', () => {
  it('is flagged in the protected environment’s question and, after Confirm, in the result; still granted', async () => {
    const res = await postSigned(
      ctx.bot.url,
      commandBody({
        text: `flag new-checkout sandy,${SANDY_CYRILLIC} in 2 weeks --grant --variation on`,
        response_url: slack.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    const question = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => allText(p.body).includes('is a protected environment')),
    );
    const text = allText(question.body);
    expect(text).toContain(`${LOOK_ALIKE_HEADING}\n${FLAGGED}`);
    // Only the look-alike is flagged, not `sandy` itself.
    expect(text.match(/ mixes /g)).toHaveLength(1);
    expect(ld.patches()).toEqual([]);

    const actions = question.body.blocks.find((b: any) => b.type === 'actions');
    const confirm = actions.elements.find((e: any) => e.action_id === ACTIONS.confirm);
    await clickButton(ctx.bot.url, {
      user: ALICE,
      actionId: ACTIONS.confirm,
      value: confirm.value,
      channel: 'C1',
      messageTs: '1.1',
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    const result = await slack.waitFor(() =>
      slack.messages.find((m) => m.channel === 'C1' && allText(m).includes('scheduled 2 targets')),
    );
    expect(allText(result)).toContain(`${LOOK_ALIKE_HEADING}\n${FLAGGED}`);
    // Flagged, not refused: both keys are granted and expire, each as its own key.
    const keys = ld.expiringTargets('flag', PROJECT, 'new-checkout', 'production').map((t) => t.contextKey);
    expect(keys.sort()).toEqual(['sandy', SANDY_CYRILLIC].sort());
  });

  it('an ordinary key is not flagged', async () => {
    await postSigned(
      ctx.bot.url,
      commandBody({ text: 'flag new-checkout sandy in 2 weeks', response_url: slack.responseUrl() }),
    );
    const question = await slack.waitFor(() =>
      slack.responseUrlPosts.find((p) => allText(p.body).includes('is a protected environment')),
    );
    expect(allText(question.body)).not.toContain(LOOK_ALIKE_HEADING);
  });
});
