import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/slack/parse/command.js';

describe('watch commands', () => {
  it('reads watch, unwatch and watching with their options', () => {
    expect(parseCommand('watch')).toEqual({ ok: true, command: { verb: 'watch', options: {} } });
    expect(parseCommand('watch --project web --env production')).toEqual({
      ok: true,
      command: { verb: 'watch', options: { project: 'web', env: 'production' } },
    });
    expect(parseCommand('UNWATCH --environment=staging')).toEqual({
      ok: true,
      command: { verb: 'unwatch', options: { env: 'staging' } },
    });
    expect(parseCommand('watching')).toEqual({ ok: true, command: { verb: 'watching' } });
  });

  it('refuses what they do not take, in words', () => {
    expect(parseCommand('watch production')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('only --project and --env'),
    });
    expect(parseCommand('watch --env')).toEqual({
      ok: false,
      problem: '--env needs a value, e.g. --env production.',
    });
    expect(parseCommand('watch --env bad/key')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('"bad/key" is not a valid environment key'),
    });
    expect(parseCommand('watching --env x')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('watching takes nothing'),
    });
  });
});
