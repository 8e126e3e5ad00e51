import { describe, expect, it } from 'vitest';
import { TokenCipher, TokenCipherError } from '../../src/store/token-cipher.js';

const KEY = Buffer.alloc(32, 3).toString('base64');
const OTHER = Buffer.alloc(32, 4).toString('base64');
const TOKEN = 'ldo_at_secret-access-token-0123456789';

describe('TokenCipher (AES-256-GCM)', () => {
  const cipher = new TokenCipher(KEY);

  it('opens what it sealed, for the same purpose', () => {
    const sealed = cipher.seal(TOKEN, 'ld-link:U1:access');
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain(TOKEN);
    expect(cipher.open(sealed, 'ld-link:U1:access')).toBe(TOKEN);
  });

  it('uses a new random IV for every value: the same token never seals the same way twice', () => {
    const a = cipher.seal(TOKEN, 'p');
    const b = cipher.seal(TOKEN, 'p');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(Buffer.from(a.split('.')[1]!, 'base64url')).toHaveLength(12);
  });

  it('refuses another key, another purpose (a value moved to another row) and altered bytes', () => {
    const sealed = cipher.seal(TOKEN, 'ld-link:U1:access');
    expect(() => new TokenCipher(OTHER).open(sealed, 'ld-link:U1:access')).toThrow(TokenCipherError);
    expect(() => cipher.open(sealed, 'ld-link:U2:access')).toThrow(TokenCipherError);
    const [v, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      cipher.open([v, iv, tag, flipped.toString('base64url')].join('.'), 'ld-link:U1:access'),
    ).toThrow(TokenCipherError);
    expect(() => cipher.open('not sealed', 'p')).toThrow(TokenCipherError);
    expect(() => cipher.open(`v1.${iv}.${tag}`, 'p')).toThrow(TokenCipherError);
  });

  it('never puts the token or the key in its error', () => {
    try {
      new TokenCipher(OTHER).open(cipher.seal(TOKEN, 'p'), 'p');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(TOKEN);
      expect(String((error as Error).message)).not.toContain(KEY);
    }
    expect.assertions(2);
  });

  it('takes only a 32-byte key', () => {
    expect(() => new TokenCipher(Buffer.alloc(16).toString('base64'))).toThrow('32 bytes');
  });

  it('seals an empty value and long ones alike', () => {
    expect(cipher.open(cipher.seal('', 'p'), 'p')).toBe('');
    const long = 'x'.repeat(10_000);
    expect(cipher.open(cipher.seal(long, 'p'), 'p')).toBe(long);
  });
});
