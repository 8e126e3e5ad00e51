import { describe, expect, it } from 'vitest';
import { LOOK_ALIKE_WORDS, lookAlike, lookAlikes, spell } from '../../src/domain/look-alikes.js';
import { parseTargets } from '../../src/domain/targets.js';

describe('look-alike keys', () => {
  it('points out a Latin key with a Cyrillic letter, the letter spelled out', () => {
    expect(lookAlike('s\u0430ndy')).toBe('`sаndy` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic)');
  });

  it('names the scripts most used first, and spells the letters of the others', () => {
    // Mostly Cyrillic with one Latin "a": the Latin letter is the odd one.
    expect(lookAlike('\u0430dmin\u0456')).toBe(
      LOOK_ALIKE_WORDS.mixes(
        'аdminі',
        ['Latin', 'Cyrillic'],
        [
          { char: 'а', script: 'Cyrillic' },
          { char: 'і', script: 'Cyrillic' },
        ],
      ),
    );
    expect(lookAlike('\u0441\u0430\u043d\u0434\u0438a')).toBe(
      '`сандиa` mixes Cyrillic and Latin letters (a U+0061 is Latin)',
    );
    expect(lookAlike('p\u03bfrtal-\u0430')).toBe(
      '`pοrtal-а` mixes Latin, Greek and Cyrillic letters (ο U+03BF is Greek, а U+0430 is Cyrillic)',
    );
  });

  it('spells out at most three odd characters', () => {
    expect(lookAlike('admin-\u0430\u0431\u0432\u0433')).toBe(
      '`admin-абвг` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic, б U+0431 is Cyrillic, в U+0432 is Cyrillic)',
    );
  });

  it('points out fullwidth letters and ligatures: they read as another key once normalized', () => {
    expect(lookAlike('\uff53\uff41\uff4e\uff44\uff59')).toBe(
      '`ｓａｎｄｙ` reads as `sandy` once normalized (ｓ U+FF53, ａ U+FF41, ｎ U+FF4E)',
    );
    expect(lookAlike('\ufb01le-owner')).toBe('`ﬁle-owner` reads as `file-owner` once normalized (ﬁ U+FB01)');
    expect(lookAlike('\u00b5s-budget')).toBe('`µs-budget` reads as `μs-budget` once normalized (µ U+00B5)');
  });

  it('spells a combining mark by its number alone', () => {
    // e + combining acute, which NFKC composes into é: two keys that look the same.
    expect(lookAlike('cafe\u0301')).toBe('`cafe\u0301` reads as `caf\u00e9` once normalized (U+0301)');
    expect(spell('\u0301')).toBe('U+0301');
    expect(spell('\u0430')).toBe('а U+0430');
  });

  it('says both when a key mixes scripts and normalizes onto another', () => {
    expect(lookAlike('\uff53\u0430ndy')).toBe(
      '`ｓаndy` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic) and reads as `sаndy` once normalized',
    );
  });

  it.each([
    ['plain ASCII', 'sandy-01.test_user:x'],
    ['accented Latin', 'ünïcødé'],
    ['all Cyrillic', 'андрей'],
    ['all Greek with digits', 'δοκιμή-2'],
    ['Chinese', '用户'],
    ['Japanese: kanji, kana and the long vowel mark', 'ユーザー山田さん'],
    ['Japanese with Latin', 'tanaka-田中'],
    ['Korean with Latin and Han', 'kim-김-金'],
    ['Chinese with Bopomofo', '用户ㄅ'],
    ['Latin with Arabic-free digits and punctuation', 'sandy@example.com'],
  ])('leaves %s alone', (_name, key) => {
    expect(lookAlike(key)).toBeUndefined();
  });

  it('flags mixes that are not written together, even of CJK scripts', () => {
    expect(lookAlike('김さん')).toBe('`김さん` mixes Hiragana and Hangul letters (김 U+AE40 is Hangul)');
  });

  it('looks at the key and the context kind apart, shown as the person writes the target', () => {
    // An organization key in Cyrillic is one script; the kind is Latin: no mix.
    expect(lookAlikes([{ contextKind: 'organization', key: 'акме' }])).toEqual([]);
    expect(lookAlikes([{ contextKind: 'organization', key: '\u0430cme' }])).toEqual([
      '`organization:аcme` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic)',
    ]);
    expect(lookAlikes([{ contextKind: 'organization', key: '\uff41cme' }])).toEqual([
      '`organization:ａcme` reads as `organization:acme` once normalized (ａ U+FF41)',
    ]);
    // A context kind cannot hold such letters today (targets.ts), but would be looked at if it could.
    expect(lookAlikes([{ contextKind: 'org\u0430nization', key: 'acme' }])).toEqual([
      '`orgаnization:acme` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic)',
    ]);
  });

  it('does not refuse a look-alike key: it may be real', () => {
    const parsed = parseTargets('sandy,s\u0430ndy');
    expect(parsed.ok && parsed.targets.map((t) => t.key)).toEqual(['sandy', 's\u0430ndy']);
    expect(lookAlikes(parsed.ok ? parsed.targets : [])).toEqual([
      '`sаndy` mixes Latin and Cyrillic letters (а U+0430 is Cyrillic)',
    ]);
  });

  it('reads 1,500 long keys of alternating scripts quickly', () => {
    const key = Array.from({ length: 128 }, (_, i) => (i % 2 ? '\u0430' : 'a')).join('');
    const started = performance.now();
    expect(lookAlikes(Array.from({ length: 1_500 }, () => ({ contextKind: 'user', key })))).toHaveLength(
      1_500,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
