import { type Target, targetLabel } from './targets.js';

/**
 * Keys that look like another key: `sаndy` with a Cyrillic а reads as `sandy` to a person and is
 * another key to LaunchDarkly, and so is `ｓａｎｄｙ` in fullwidth letters. They may be real keys,
 * so they are not refused — they are pointed out, with the odd characters spelled out.
 */

/**
 * Every script of Unicode 15 (Common and Inherited aside: digits, punctuation and combining marks
 * belong to no script of their own). Newer scripts fall under "another script".
 */
const SCRIPT_NAMES = (
  'Latin Cyrillic Greek Armenian Georgian Hebrew Arabic Han Hiragana Katakana Hangul Bopomofo ' +
  'Adlam Ahom Anatolian_Hieroglyphs Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki Brahmi ' +
  'Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee ' +
  'Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan Deseret Devanagari Dives_Akuru Dogra Duployan ' +
  'Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Glagolitic Gothic Grantha Gujarati Gunjala_Gondi ' +
  'Gurmukhi Hanifi_Rohingya Hanunoo Hatran Imperial_Aramaic Inscriptional_Pahlavi ' +
  'Inscriptional_Parthian Javanese Kaithi Kannada Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer ' +
  'Khojki Khudawadi Lao Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam ' +
  'Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive ' +
  'Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari ' +
  'New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic ' +
  'Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya ' +
  'Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic ' +
  'Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo ' +
  'Sundanese Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut ' +
  'Telugu Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi ' +
  'Zanabazar_Square'
).split(' ');
const SCRIPTS = new Map(
  SCRIPT_NAMES.map((name) => [name.replace(/_/g, ' '), new RegExp(`^\\p{Script=${name}}$`, 'u')]),
);
const ANOTHER_SCRIPT = 'another script';
/** Characters of no script of their own: digits, `-`, `_`, `.`, `:`, `@`, combining marks. */
const SCRIPTLESS = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Scripts written together in one language, which make no look-alike of each other (the
 * "highly restrictive" sets of Unicode's UTS #39): Japanese, Chinese with Bopomofo, Korean, each
 * with Latin.
 */
const WRITTEN_TOGETHER = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
].map((set) => new Set(set));

/** "а U+0430"; a combining mark alone, which would sit on the character before it, only by its number. */
export function spell(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^\p{M}$/u.test(c) ? code : `${c} ${code}`;
}

/** What a person is told about a look-alike key; tests assert these. */
export const LOOK_ALIKE_WORDS = {
  mixes: (shown: string, scripts: string[], odd: Array<{ char: string; script: string }>) =>
    `\`${shown}\` mixes ${list(scripts)} letters (${odd.map((o) => `${spell(o.char)} is ${o.script}`).join(', ')})`,
  normalizes: (shown: string, reads: string, changed: string[]) =>
    `\`${shown}\` reads as \`${reads}\` once normalized${changed.length ? ` (${changed.map(spell).join(', ')})` : ''}`,
  both: (mixes: string, reads: string) => `${mixes} and reads as \`${reads}\` once normalized`,
};

/** At most this many odd characters are spelled out per key. */
const SPELLED = 3;

function list(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The script a character is written in, or undefined for digits, punctuation and marks. */
function scriptOf(c: string, seen: Iterable<string>): string | undefined {
  if (SCRIPTLESS.test(c)) return undefined;
  // The scripts already met in this text first: a key is mostly in one or two.
  for (const name of seen) if (SCRIPTS.get(name)?.test(c)) return name;
  for (const [name, pattern] of SCRIPTS) if (pattern.test(c)) return name;
  return ANOTHER_SCRIPT;
}

/** The scripts of a text, most used first, with the characters of each. */
function scriptsOf(text: string): Map<string, string[]> {
  const scripts = new Map<string, string[]>();
  for (const c of text) {
    const script = scriptOf(c, scripts.keys());
    if (!script) continue;
    const chars = scripts.get(script);
    if (chars) chars.push(c);
    else scripts.set(script, [c]);
  }
  return new Map([...scripts].sort((a, b) => b[1].length - a[1].length));
}

function writtenTogether(scripts: string[]): boolean {
  return scripts.length < 2 || WRITTEN_TOGETHER.some((set) => scripts.every((s) => set.has(s)));
}

/**
 * Why `text` (a key or a context kind, shown to a person as `show(text)`) may be taken for
 * another, or undefined when it may not: it mixes scripts that are not written together, or
 * Unicode's compatibility normalization (NFKC) turns it into another string.
 */
export function lookAlike(text: string, show = (part: string) => part): string | undefined {
  if (ASCII.test(text)) return undefined;
  const scripts = scriptsOf(text);
  const names = [...scripts.keys()];
  const normalized = text.normalize('NFKC');
  const mixed = !writtenTogether(names);
  if (!mixed && normalized === text) return undefined;
  const shown = show(text);
  const reads = show(normalized);
  if (!mixed) {
    const chars = [...new Set(text)];
    const changed = chars.filter((c) => c.normalize('NFKC') !== c);
    // Nothing changes alone: marks compose with the letter before them (e + U+0301 → é).
    const spelled = changed.length ? changed : chars.filter((c) => /^\p{M}$/u.test(c));
    return LOOK_ALIKE_WORDS.normalizes(shown, reads, spelled.slice(0, SPELLED));
  }
  // The characters of every script but the most used one are the odd ones.
  const odd = [...scripts]
    .slice(1)
    .flatMap(([script, chars]) => [...new Set(chars)].map((char) => ({ char, script })))
    .slice(0, SPELLED);
  const mixes = LOOK_ALIKE_WORDS.mixes(shown, names, odd);
  return normalized === text ? mixes : LOOK_ALIKE_WORDS.both(mixes, reads);
}

/** A note for every target whose context kind or key looks like another, in order. */
export function lookAlikes(targets: readonly Target[]): string[] {
  return targets.flatMap((target) => {
    const key = lookAlike(target.key, (k) => targetLabel({ ...target, key: k }));
    const kind = lookAlike(target.contextKind, (k) => targetLabel({ ...target, contextKind: k }));
    return [kind, key].filter((note): note is string => note !== undefined);
  });
}
