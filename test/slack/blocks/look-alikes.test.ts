import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../../src/domain/change-request.js';
import type { Expiry } from '../../../src/domain/expiry.js';
import {
  LOOK_ALIKE_HEADING,
  LOOK_ALIKE_MORE,
  lookAlikeBlocks,
} from '../../../src/slack/blocks/look-alikes.js';
import { reminderDoneMessage } from '../../../src/slack/blocks/reminder.js';
import { resultMessage } from '../../../src/slack/blocks/result.js';
import { confirmMessage, confirmView } from '../../../src/slack/blocks/safety.js';
import { allText } from '../../helpers/message-text.js';
import { blockKitProblems } from '../../helpers/slack-limits.js';

const SANDY_CYRILLIC = 's\u0430ndy';
const MIXED = '`sаndy` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic)';
const FULLWIDTH = '`ｓａｎｄｙ` reads as `sandy` once normalized (ｓ U+FF53, ａ U+FF41, ｎ U+FF4E)';

const request = (...keys: string[]): ChangeRequest => ({
  verb: 'add',
  resource: { kind: 'flag', projectKey: 'default', key: 'new-checkout', environmentKey: 'production' },
  targets: keys.map((key) => ({ contextKind: 'user', key })),
  expiresAt: Date.parse('2026-12-20T12:00:00Z'),
  targetType: 'included',
  grant: true,
  comment: 'c',
});

describe('look-alike keys in messages', () => {
  it('the confirmation points them out before its buttons, in the channel and in the form', () => {
    const r = request('bob', SANDY_CYRILLIC, '\uff53\uff41\uff4e\uff44\uff59');
    const message = confirmMessage('id', r);
    expect(message.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: [LOOK_ALIKE_HEADING, `• ${MIXED}`, `• ${FULLWIDTH}`].join('\n') },
    });
    expect(message.blocks[2]!.type).toBe('actions');
    expect(allText(confirmView('id', r))).toContain(`${LOOK_ALIKE_HEADING}\n• ${MIXED}`);
  });

  it('the result points them out, whether the change was done or not', () => {
    const r = request('bob', SANDY_CYRILLIC);
    const done = resultMessage(
      { request: r, results: r.targets.map((target) => ({ target, ok: true, granted: true })) },
      'U1',
    );
    expect(allText(done)).toContain(`${LOOK_ALIKE_HEADING}\n• ${MIXED}`);
    const failed = resultMessage(
      { request: r, results: r.targets.map((target) => ({ target, ok: false, message: 'no' })) },
      'U1',
    );
    expect(allText(failed)).toContain(MIXED);
  });

  it('a reminder done on a look-alike key says so too', () => {
    const expiry = {
      id: 'e1',
      resource: request().resource,
      target: { contextKind: 'user', key: SANDY_CYRILLIC },
      expiresAt: 0,
      requestedBy: 'U1',
      channelId: 'C1',
      createdAt: 0,
      updatedAt: 0,
    } as Expiry;
    expect(allText(reminderDoneMessage(expiry, 'removed now', 'U1'))).toContain(MIXED);
  });

  it('says nothing when no key looks like another', () => {
    expect(lookAlikeBlocks(request('sandy', 'ünïcødé', '用户').targets)).toEqual([]);
    expect(confirmMessage('id', request('sandy')).blocks.map((b) => b.type)).toEqual([
      'section',
      'actions',
      'context',
    ]);
  });

  it('names five and counts the rest, escaped and within Slack’s limits', () => {
    const keys = Array.from({ length: 1_500 }, (_, i) => `sandy${'&'.repeat(200)}-\u0430-${i}`);
    const blocks = lookAlikeBlocks(request(...keys).targets);
    expect(blocks).toHaveLength(1);
    const text = allText({ blocks });
    expect(text).not.toMatch(/&(?!amp;)/);
    expect(text.length).toBeLessThanOrEqual(3_000);
    expect(text).toContain(LOOK_ALIKE_MORE(1_498));
    const r = request(...Array.from({ length: 7 }, (_, i) => `${SANDY_CYRILLIC}-${i}`));
    expect(allText({ blocks: lookAlikeBlocks(r.targets) })).toContain(LOOK_ALIKE_MORE(2));
    expect(blockKitProblems('chat.postMessage', confirmMessage('id', request(...keys)))).toEqual([]);
  });
});
