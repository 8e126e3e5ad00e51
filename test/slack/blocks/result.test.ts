import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../../src/domain/change-request.js';
import type { ChangeResult } from '../../../src/services/apply-change.js';
import { scheduledListMessage } from '../../../src/slack/blocks/list.js';
import { failedMessage, progressMessage, resultMessage } from '../../../src/slack/blocks/result.js';
import { blockKitProblems } from '../../helpers/slack-limits.js';

const T = Date.parse('2026-12-06T22:30:00Z');
const request: ChangeRequest = {
  verb: 'add',
  resource: { kind: 'flag', projectKey: 'default', key: 'new-checkout', environmentKey: 'production' },
  targets: [],
  expiresAt: T,
  targetType: 'included',
  grant: false,
  comment: 'c',
};
const user = (i: number) => ({ contextKind: 'user', key: `user-${'x'.repeat(40)}-${i}` });
const text = (m: { blocks: any[] }) => m.blocks.map((b) => b.text?.text ?? b.elements?.[0]?.text).join('\n');

describe('resultMessage', () => {
  it('all done: who, what, when as a Slack date and UTC, where', () => {
    const result: ChangeResult = {
      request,
      results: [{ target: { contextKind: 'user', key: 'sandy' }, ok: true, variation: 'on' }],
    };
    const m = resultMessage(result, 'U1');
    expect(text(m)).toBe(
      [
        ':white_check_mark: <@U1> scheduled 1 target on flag *new-checkout* to expire <!date^1796596200^{date_short_pretty} at {time}|2026-12-06 22:30 UTC> (2026-12-06 22:30 UTC).',
        'Project `default` · environment `production` · asked by <@U1>',
        '*Scheduled:* `sandy` (on)',
      ].join('\n'),
    );
    expect(m.text).toBe('Scheduled 1 of 1 target on flag new-checkout in production.');
  });

  it('stays within Slack limits when 1,500 targets each fail for a different reason', () => {
    const results = Array.from({ length: 1_500 }, (_, i) => ({
      target: user(i),
      ok: i % 3 === 0,
      message: i % 3 === 0 ? undefined : `LaunchDarkly says <no> to ${i} ${'because '.repeat(20)}`,
    }));
    const m = resultMessage({ request, results }, 'U1');
    expect(blockKitProblems('chat.postMessage', m)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(text(m)).toContain('Partly done: <@U1> scheduled 500 of 1,500 targets');
    expect(text(m)).toMatch(/…and [\d,]+ other reasons\./);
    expect(text(m)).toMatch(/and [\d,]+ more$/m);
    expect(text(m)).toContain('&lt;no&gt;');
  });

  it('a whole-request failure says nothing changed and why', () => {
    const m = failedMessage(request, 'LaunchDarkly could not be reached.', 'U1');
    expect(text(m)).toContain(
      ':x: Nothing scheduled on flag *new-checkout*: LaunchDarkly could not be reached.',
    );
  });

  it('progress counts with thousands separators', () => {
    const thousand = {
      ...request,
      resource: { ...request.resource, key: 'f' },
      targets: Array.from({ length: 1_000 }, (_, i) => user(i)),
    };
    expect(progressMessage(thousand, 400).text).toBe('Scheduling 1,000 targets on flag f… 400 done');
  });
});

describe('scheduledListMessage', () => {
  it('pages a long list within Slack limits, soonest first as given', () => {
    const items = Array.from({ length: 1_200 }, (_, i) => ({
      target: user(i),
      expiresAt: T + i * 60_000,
      variation: 'on',
    }));
    const m = scheduledListMessage({ ok: true, resource: request.resource, items });
    expect(blockKitProblems('chat.postMessage', m)).toEqual([]);
    expect(text(m)).toContain('1,200 targets scheduled to expire on flag new-checkout');
    expect(text(m)).toMatch(/…and [\d,]+ more targets\./);
  });

  it('says when nothing is scheduled', () => {
    const m = scheduledListMessage({ ok: true, resource: request.resource, items: [] });
    expect(m.text).toBe('Nothing is scheduled to expire on flag new-checkout.');
  });
});
