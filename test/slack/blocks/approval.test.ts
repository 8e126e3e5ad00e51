import { describe, expect, it } from 'vitest';
import type { Approval } from '../../../src/domain/approval.js';
import type { ChangeRequest } from '../../../src/domain/change-request.js';
import {
  approvalDecidedMessage,
  approvalRequestMessage,
  approvalThreadLists,
  homeApprovalBlocks,
} from '../../../src/slack/blocks/approval.js';
import { describeRequest } from '../../../src/slack/blocks/safety.js';
import { blockKitProblems } from '../../helpers/slack-limits.js';

const T = Date.parse('2026-12-06T22:30:00Z');
const DATE = '<!date^1796596200^{date_short_pretty} at {time}|2026-12-06 22:30 UTC> (2026-12-06 22:30 UTC)';
const request: ChangeRequest = {
  verb: 'add',
  resource: { kind: 'flag', projectKey: 'default', key: 'new-checkout', environmentKey: 'production' },
  targets: [
    { contextKind: 'user', key: 'sandy' },
    { contextKind: 'organization', key: 'acme' },
  ],
  expiresAt: T,
  targetType: 'included',
  grant: false,
  comment: 'c',
};
const segment = { ...request.resource, kind: 'segment' as const, key: 'beta-testers' };

function approval(r: Partial<ChangeRequest>): Approval {
  return {
    id: 'a-1',
    who: { userId: 'U1', userName: 'alice', channelId: 'C1' },
    request: { ...request, ...r },
    state: 'pending',
    approvers: ['S0RELEASE', 'U2'],
    needed: 1,
    votes: [],
    channelId: 'C1',
    createdAt: T - 3_600_000,
    expiresAt: T + 3_600_000,
  };
}

/** The mrkdwn of a message's sections, in order. */
const sections = (m: { blocks: any[] }) =>
  m.blocks.filter((b) => b.type === 'section').map((b) => b.text.text as string);

describe('what a request asks, in words', () => {
  it.each([
    [
      'a flag grant names the variation the targets are added to, and until when',
      { grant: true, variation: 'on' },
      `*give access*: add \`sandy\`, \`organization:acme\` to variation *on* of flag *new-checkout* in \`default\`/\`production\` until ${DATE}`,
    ],
    [
      'a flag grant without --variation says they join its individual targets',
      { grant: true },
      `*give access*: add \`sandy\`, \`organization:acme\` to the individual targets of flag *new-checkout* in \`default\`/\`production\` until ${DATE}`,
    ],
    [
      'a segment grant names its included list',
      { grant: true, resource: segment },
      `*give access*: add \`sandy\`, \`organization:acme\` to the *included* targets of segment *beta-testers* in \`default\`/\`production\` until ${DATE}`,
    ],
    [
      'a grant to a segment’s excluded list keeps them out: no “give access”',
      { grant: true, resource: segment, targetType: 'excluded' as const },
      `add \`sandy\`, \`organization:acme\` to the *excluded* targets of segment *beta-testers* in \`default\`/\`production\` until ${DATE}`,
    ],
    [
      'without --grant, a flag as before',
      {},
      `schedule the expiry of \`sandy\`, \`organization:acme\` on flag *new-checkout* in \`default\`/\`production\` to expire ${DATE}`,
    ],
    [
      'without --grant, a segment names its list',
      { resource: segment, targetType: 'excluded' as const, verb: 'remove' as const, expiresAt: undefined },
      'cancel the expiry of `sandy`, `organization:acme` on segment *beta-testers* (*excluded*) in `default`/`production`',
    ],
    [
      'a variation a person typed is escaped',
      { grant: true, variation: '<!channel>' },
      `*give access*: add \`sandy\`, \`organization:acme\` to variation *&lt;!channel&gt;* of flag *new-checkout* in \`default\`/\`production\` until ${DATE}`,
    ],
  ])('%s', (_name, change, expected) => {
    expect(describeRequest({ ...request, ...change })).toBe(expected);
  });
});

describe('approvalRequestMessage', () => {
  it('names a few targets in its sentence, and needs no thread', () => {
    const a = approval({ grant: true, variation: 'on', words: 'next sunday', reason: 'incident 42' });
    const m = approvalRequestMessage(a);
    expect(sections(m)[0]).toBe(
      `:raised_hand: <@U1> asks to *give access*: add \`sandy\`, \`organization:acme\` to variation *on* of flag *new-checkout* in \`default\`/\`production\` until ${DATE}.`,
    );
    expect(m.text).toContain('alice asks for approval: *give access*: add `sandy`');
    expect(approvalThreadLists(a)).toEqual([]);
  });

  it('counts many targets in its sentence and lists each one below it', () => {
    const keys = Array.from({ length: 1_500 }, (_, i) => `u${i}`);
    const a = approval({ targets: keys.map((key) => ({ contextKind: 'user', key })) });
    const m = approvalRequestMessage(a);
    expect(sections(m)[0]).toContain('asks to schedule the expiry of 1,500 targets on flag *new-checkout*');
    expect(sections(m).slice(1).join('\n').split('\n')).toEqual(keys.map((k) => `\`${k}\``));
    expect(blockKitProblems('chat.postMessage', m)).toEqual([]);
    expect(approvalThreadLists(a)).toEqual([]);
  });

  it('1,500 targets of the longest keys: as many as fit in the message, the rest in its thread, each once, within Slack’s limits', () => {
    const labels = Array.from(
      { length: 1_500 },
      (_, i) => `${'k'.repeat(64)}:${String(i).padStart(4, '0')}${'x'.repeat(252)}`,
    );
    const a = approval({
      grant: true,
      variation: 'v'.repeat(200),
      targets: labels.map((l) => ({ contextKind: 'k'.repeat(64), key: l.slice(65) })),
      words: 'w'.repeat(200),
      reason: 'r'.repeat(500),
    });
    const m = approvalRequestMessage(a);
    const decided = approvalDecidedMessage({ ...a, state: 'declined', decidedBy: 'U2' });
    const thread = approvalThreadLists(a);
    for (const message of [m, decided, ...thread])
      expect(blockKitProblems('chat.postMessage', message)).toEqual([]);
    expect(thread.length).toBeGreaterThan(1);
    const listed = (message: { blocks: any[] }) =>
      sections(message).flatMap((t) => t.match(/`k+:\d{4}x+`/g) ?? []);
    expect([m, ...thread].flatMap(listed)).toEqual(labels.map((l) => `\`${l}\``));
    expect(listed(decided)).toEqual(listed(m));
    const shown = listed(m).length;
    expect(sections(m).at(-1)).toContain(
      `…and ${(1_500 - shown).toLocaleString('en-US')} more, listed in this thread.`,
    );
    expect(thread[0]!.text).toBe(
      `Targets ${shown + 1}–${shown + listed(thread[0]!).length} of the 1,500 this request is for:`,
    );
  });
});

describe('homeApprovalBlocks', () => {
  it('sends an approver to the request’s message when there are too many targets to name on Home', () => {
    const many = approval({
      targets: Array.from({ length: 300 }, (_, i) => ({ contextKind: 'user', key: `u${i}` })),
    });
    const few = { ...approval({}), id: 'a-2' };
    const [manyLine, fewLine] = sections({
      blocks: homeApprovalBlocks({ awaiting: [many, few], asked: [] }, 5),
    });
    expect(manyLine).toMatch(
      /and \d+ more on flag .*\. Each target is listed in its message in <#C1> \(and its thread\)\.$/,
    );
    expect(fewLine).not.toContain('Each target is listed');
  });
});
