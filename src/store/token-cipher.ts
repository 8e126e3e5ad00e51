import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The format of a sealed value: version, IV, tag and ciphertext, each base64url, joined by dots. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A sealed value that does not open: another key, another purpose, or altered bytes. */
export class TokenCipherError extends Error {
  constructor(why: string) {
    super(`a stored LaunchDarkly token could not be decrypted (${why})`);
    this.name = 'TokenCipherError';
  }
}

/**
 * AES-256-GCM over the LaunchDarkly tokens the bot keeps for linked people. The key is given (from
 * TOKEN_ENCRYPTION_KEY), never stored; each value gets a random 12-byte IV, and its purpose (whose
 * token, which one) is bound as additional data, so a sealed value copied to another row or
 * column does not open there.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`the token encryption key must be ${KEY_BYTES} bytes`);
    this.key = key;
  }

  seal(plain: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, purpose: string): string {
    const [version, iv, tag, body, ...rest] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0)
      throw new TokenCipherError('not a sealed value');
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new TokenCipherError('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new TokenCipherError('wrong key, or altered');
    }
  }
}
