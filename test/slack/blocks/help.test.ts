import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../../src/domain/when.js';
import { helpMessage, WHEN_CLOCK_HELP, WHEN_HELP } from '../../../src/slack/blocks/help.js';
import { blockKitProblems } from '../../helpers/slack-limits.js';

/** The `code` spans of some lines of the help. */
function examples(lines: string[]): string[] {
  return lines.flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

const lines = [...WHEN_HELP.split('\n'), ...WHEN_CLOCK_HELP.split('\n')];
const refusals = lines.filter((line) => line.startsWith('I refuse'));
// Sunday 22 November 2026, 14:00 in Los Angeles: every form the help lists is still ahead.
const now = new Date('2026-11-22T14:00:00-08:00');

describe('/expire help', () => {
  it('fits Slack’s limits', () => {
    // As the ephemeral answer to the command, or posted when that cannot be.
    expect(blockKitProblems('chat.postEphemeral', helpMessage())).toEqual([]);
    expect(blockKitProblems('chat.postEphemeral', helpMessage('x'.repeat(2_000)))).toEqual([]);
  });

  const accepted = examples(lines.filter((line) => line.startsWith('•')));
  it.each(accepted)('reads the listed form %j', (text) => {
    const result = parseWhen(text, { now, timeZone: 'America/Los_Angeles' });
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  it.each(examples(refusals))('refuses the listed refusal %j', (text) => {
    expect(parseWhen(text, { now, timeZone: 'America/Los_Angeles' }).ok).toBe(false);
  });

  it('lists the forms of every category the reader knows', () => {
    expect(accepted.length).toBeGreaterThan(80);
  });
});
