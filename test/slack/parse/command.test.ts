import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/slack/parse/command.js';

const none = { excluded: false, grant: false };

describe('parseCommand', () => {
  it.each([
    ['', { verb: 'modal' }],
    ['help', { verb: 'help' }],
    ['list', { verb: 'list-known' }],
    ['list flag new-checkout', { verb: 'list', resource: 'flag', key: 'new-checkout', options: none }],
    [
      'list segment beta --env staging',
      { verb: 'list', resource: 'segment', key: 'beta', options: { ...none, env: 'staging' } },
    ],
  ])('%j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it('reads add with the verb left out, targets as one word, the rest as the time', () => {
    expect(parseCommand('flag new-checkout sandy,organization:acme next friday 5pm')).toEqual({
      ok: true,
      command: {
        verb: 'add',
        resource: 'flag',
        key: 'new-checkout',
        targets: [
          { contextKind: 'user', key: 'sandy' },
          { contextKind: 'organization', key: 'acme' },
        ],
        when: 'next friday 5pm',
        options: none,
      },
    });
  });

  it('takes options anywhere after the key, in both spellings', () => {
    const parsed = parseCommand(
      'ADD Flag new-checkout --env=staging sandy in 2 --project web weeks --variation "on" --grant',
    );
    expect(parsed).toMatchObject({
      ok: true,
      command: {
        verb: 'add',
        key: 'new-checkout',
        when: 'in 2 weeks',
        options: { env: 'staging', project: 'web', variation: '"on"', grant: true, excluded: false },
      },
    });
  });

  it('takes a reason in quotes (straight or curly), or one word, anywhere after the key', () => {
    for (const [text, reason] of [
      [
        'flag new-checkout sandy in 2 weeks --reason "incident 42, needs the beta"',
        'incident 42, needs the beta',
      ],
      ['flag new-checkout --reason “customer escalation” sandy in 2 weeks', 'customer escalation'],
      ["flag new-checkout sandy --reason 'on call' in 2 weeks", 'on call'],
      ['flag new-checkout sandy in 2 weeks --reason=INC-42', 'INC-42'],
    ]) {
      expect(parseCommand(text!)).toMatchObject({
        ok: true,
        command: { targets: [{ key: 'sandy' }], when: 'in 2 weeks', options: { reason } },
      });
    }
    expect(parseCommand(`flag x sandy in 2 weeks --reason "${'a'.repeat(501)}"`)).toEqual({
      ok: false,
      problem: 'That reason is too long (501 characters; at most 500).',
    });
  });

  it('reads update and remove, segments with --excluded', () => {
    expect(parseCommand('update segment beta sandy tomorrow --excluded')).toMatchObject({
      ok: true,
      command: { verb: 'update', resource: 'segment', options: { excluded: true } },
    });
    expect(parseCommand('remove flag f user:sandy,sandy')).toMatchObject({
      ok: true,
      command: { verb: 'remove', targets: [{ contextKind: 'user', key: 'sandy' }], when: '' },
    });
  });

  it.each([
    ['frob', /I don't know "frob"/],
    ['add', /say "flag" or "segment"/],
    ['add thing x', /not "thing"/],
    ['flag --env prod', /Which flag\?/],
    ['flag f', /Which targets\?/],
    ['flag f sandy', /When should it expire\?/],
    ['flag f sandy tomorrow --env', /--env needs a value/],
    ['flag f sandy tomorrow --env --grant', /--env needs a value/],
    ['flag f sandy tomorrow --grant=yes', /I don't know the option --grant=yes/],
    ['flag f sandy tomorrow --env bad/env', /not a valid environment key/],
    ['flag f! sandy tomorrow', /"f!" is not a valid flag key/],
    ['flag f multi:x tomorrow', /context kind/],
    ['flag f sandy<!here> tomorrow', /not a valid target key/],
    [
      'flag f sandy\u0007 tomorrow',
      /"sandy\[U\+0007\]" contains a control, invisible or text-direction character/,
    ],
    ['flag f\u200b sandy tomorrow', /"f\[U\+200B\]" is not a valid flag key/],
    ['flag f , tomorrow', /No targets given/],
    ['segment s sandy tomorrow --variation on', /--variation is for flags/],
    ['remove flag f sandy now', /remove takes no time/],
    ['update flag f sandy tomorrow --grant', /--grant goes with add/],
    [`flag f ${Array.from({ length: 1_501 }, (_, i) => `u${i}`).join(',')} tomorrow`, /at most 1,?500/],
    ['x'.repeat(20_001), /too long/],
  ])('%j → problem', (text, problem) => {
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });

  it('never throws and always answers, whatever is typed', () => {
    const words = fc.constantFrom(
      'add',
      'update',
      'remove',
      'list',
      'flag',
      'segment',
      'help',
      'f',
      'sandy,bob',
      'org:acme',
      '--env',
      '--grant',
      '--excluded',
      '--variation',
      '--project',
      'tomorrow',
      'in',
      '2',
      'weeks',
      '=',
      ',',
      ':',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(words, { maxLength: 12 }).map((w) => w.join(' ')),
        ),
        (text) => {
          const parsed = parseCommand(text);
          expect(parsed.ok ? parsed.command.verb : parsed.problem).toBeTruthy();
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
