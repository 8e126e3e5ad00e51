import { describe, expect, it } from 'vitest';
import { parseTargets, TARGET_PROBLEMS, visible } from '../../src/domain/targets.js';

describe('target keys', () => {
  it.each([
    ['BEL', 'sandy\u0007', 'sandy[U+0007]'],
    ['NUL', 'bo\u0000b', 'bo[U+0000]b'],
    ['ESC', '\u001b[31mroot', '[U+001B][31mroot'],
    ['DEL', 'eve\u007f', 'eve[U+007F]'],
    ['zero-width space', 'san\u200bdy', 'san[U+200B]dy'],
    ['zero-width joiner', 'sandy\u200d', 'sandy[U+200D]'],
    ['byte order mark', '\ufeffsandy', '[U+FEFF]sandy'],
    ['right-to-left override', 'admin\u202egpj', 'admin[U+202E]gpj'],
    ['right-to-left isolate', 'a\u2067b', 'a[U+2067]b'],
    ['left-to-right mark', 'a\u200eb', 'a[U+200E]b'],
    ['soft hyphen', 'san\u00addy', 'san[U+00AD]dy'],
  ])('refuses a key with a %s, naming the key with the character spelled out', (_name, key, shown) => {
    const parsed = parseTargets(`bob,${key}`);
    expect(parsed).toEqual({ ok: false, problem: TARGET_PROBLEMS.invisible(key) });
    expect(TARGET_PROBLEMS.invisible(key)).toContain(`"${shown}"`);
  });

  it('looks at the context kind too', () => {
    expect(parseTargets('organi\u200bzation:acme').ok).toBe(false);
  });

  it('still takes keys in any script, with dots, @ and dashes', () => {
    expect(parseTargets('sandy@example.com,organization:Acme-1,用户,ünïcødé')).toEqual({
      ok: true,
      targets: [
        { contextKind: 'user', key: 'sandy@example.com' },
        { contextKind: 'organization', key: 'Acme-1' },
        { contextKind: 'user', key: '用户' },
        { contextKind: 'user', key: 'ünïcødé' },
      ],
    });
  });

  it('visible() leaves ordinary text alone', () => {
    expect(visible('sandy, bob')).toBe('sandy, bob');
  });
});
