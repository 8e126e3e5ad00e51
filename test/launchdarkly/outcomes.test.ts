import { describe, expect, it } from 'vitest';
import type { ExpiryChange } from '../../src/launchdarkly/instructions.js';
import { type ExpiringTarget, outcomesFromAnswer } from '../../src/launchdarkly/outcomes.js';

const T = 2_000_000_000_000;
const change = (key: string, op: ExpiryChange['op'] = 'add'): ExpiryChange => ({
  op,
  contextKind: 'user',
  key,
  variationId: 'v1',
  value: op === 'remove' ? undefined : T,
});
const item = (key: string, expirationDate = T): ExpiringTarget => ({
  id: key,
  version: 1,
  expirationDate,
  contextKind: 'user',
  key,
  variationId: 'v1',
});

const failed = (outcomes: ReturnType<typeof outcomesFromAnswer>) =>
  outcomes.filter((o) => !o.ok).map((o) => [o.change.key, !o.ok && o.message]);

describe('outcomesFromAnswer', () => {
  it('is all success without errors', () => {
    expect(outcomesFromAnswer([change('a'), change('b')], undefined, undefined).every((o) => o.ok)).toBe(
      true,
    );
    expect(outcomesFromAnswer([change('a')], [], []).every((o) => o.ok)).toBe(true);
  });

  it('reads 0-based indexes when an index is 0', () => {
    expect(
      failed(
        outcomesFromAnswer([change('a'), change('b')], [{ instructionIndex: 0, message: 'x' }], undefined),
      ),
    ).toEqual([['a', 'x']]);
  });

  it('reads 1-based indexes when an index equals the count', () => {
    expect(
      failed(
        outcomesFromAnswer([change('a'), change('b')], [{ instructionIndex: 2, message: 'x' }], undefined),
      ),
    ).toEqual([['b', 'x']]);
  });

  it('when both readings fit, believes the one the items agree with', () => {
    const changes = [change('a'), change('b'), change('c')];
    // a and c applied (in items), b not: index 2 means b when 1-based.
    const items = [item('a'), item('c')];
    expect(failed(outcomesFromAnswer(changes, [{ instructionIndex: 2, message: 'x' }], items))).toEqual([
      ['b', 'x'],
    ]);
    // b and c applied: index 1 means a only if 1-based... a missing → 1-based.
    expect(
      failed(outcomesFromAnswer(changes, [{ instructionIndex: 1, message: 'y' }], [item('b'), item('c')])),
    ).toEqual([['a', 'y']]);
    // a and c applied, index 1: 0-based → b (not applied) agrees.
    expect(failed(outcomesFromAnswer(changes, [{ instructionIndex: 1, message: 'z' }], items))).toEqual([
      ['b', 'z'],
    ]);
  });

  it('an add whose date in items differs is not applied; a remove still present is not applied', () => {
    const changes = [change('a'), change('b', 'remove')];
    const items = [item('a', T + 1), item('b')];
    expect(failed(outcomesFromAnswer(changes, [{ instructionIndex: 1, message: 'm' }], items))).toEqual([
      ['b', 'm'],
    ]);
  });

  it('never drops an error that fits no instruction', () => {
    const outcomes = outcomesFromAnswer(
      [change('a'), change('b')],
      [{ instructionIndex: 7, message: 'lost?' }],
      [item('a')],
    );
    expect(failed(outcomes)).toEqual([['b', 'lost?']]);
  });

  it('joins two messages for one instruction', () => {
    const outcomes = outcomesFromAnswer(
      [change('a'), change('b')],
      [
        { instructionIndex: 0, message: 'one' },
        { instructionIndex: 0, message: 'two' },
      ],
      undefined,
    );
    expect(failed(outcomes)).toEqual([['a', 'one; two']]);
  });
});
