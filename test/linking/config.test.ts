import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.js';
import { configProblems, VALID_ENV as VALID } from '../helpers/config-problems.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const LINKING = {
  LD_OAUTH_CLIENT_ID: 'client-123',
  LD_OAUTH_CLIENT_SECRET: 'client-secret-456789',
  PUBLIC_URL: 'https://expiry-bot.example.com/',
  TOKEN_ENCRYPTION_KEY: KEY,
};

const problems = configProblems;

describe('linking configuration (PRODUCT §15–§16)', () => {
  it('acts as the bot, without linking, by default', () => {
    expect(loadConfig(VALID).linking).toEqual({ actAs: 'bot', oauth: undefined });
  });

  it('reads the OAuth client, the public URL and the key; the secret and the key are secrets', () => {
    const config = loadConfig({ ...VALID, ...LINKING, LD_ACT_AS: 'person' });
    expect(config.linking).toEqual({
      actAs: 'person',
      oauth: {
        clientId: 'client-123',
        clientSecret: 'client-secret-456789',
        publicUrl: 'https://expiry-bot.example.com',
        encryptionKey: KEY,
      },
    });
    expect(secretsOf(config)).toEqual(expect.arrayContaining([LINKING.LD_OAUTH_CLIENT_SECRET, KEY]));
    // Linking without acting as the person: /expire link works, changes keep the service token.
    expect(loadConfig({ ...VALID, ...LINKING }).linking.actAs).toBe('bot');
  });

  it('names each missing variable when LD_ACT_AS=person comes without them', () => {
    expect(problems({ ...VALID, LD_ACT_AS: 'person' })).toEqual(
      ['LD_OAUTH_CLIENT_ID', 'LD_OAUTH_CLIENT_SECRET', 'PUBLIC_URL', 'TOKEN_ENCRYPTION_KEY'].map(
        (v) =>
          `${v} is required with LD_ACT_AS=person (changes are made as each person's linked LaunchDarkly member)`,
      ),
    );
    expect(problems({ ...VALID, ...LINKING, TOKEN_ENCRYPTION_KEY: undefined, LD_ACT_AS: 'person' })).toEqual([
      "TOKEN_ENCRYPTION_KEY is required with LD_ACT_AS=person (changes are made as each person's linked LaunchDarkly member)",
    ]);
  });

  it('refuses half a linking set-up in bot mode too', () => {
    expect(problems({ ...VALID, LD_OAUTH_CLIENT_ID: 'client-123' })).toEqual([
      'LD_OAUTH_CLIENT_SECRET is required for linking LaunchDarkly accounts (LD_OAUTH_CLIENT_ID is set)',
      'PUBLIC_URL is required for linking LaunchDarkly accounts (LD_OAUTH_CLIENT_ID is set)',
      'TOKEN_ENCRYPTION_KEY is required for linking LaunchDarkly accounts (LD_OAUTH_CLIENT_ID is set)',
    ]);
  });

  it('refuses a key that is not 32 bytes of base64, a bad URL and an unknown mode, never quoting the key', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    const found = problems({
      ...VALID,
      ...LINKING,
      TOKEN_ENCRYPTION_KEY: short,
      PUBLIC_URL: 'expiry-bot.example.com',
      LD_ACT_AS: 'people',
    });
    expect(found).toEqual([
      "PUBLIC_URL must be an http(s) URL (the bot's public base URL, e.g. https://expiry-bot.example.com)",
      'TOKEN_ENCRYPTION_KEY must be 32 random bytes in base64 (e.g. the output of `openssl rand -base64 32`)',
      'LD_ACT_AS must be one of bot, person',
    ]);
    expect(found.join('\n')).not.toContain(short);
    expect(problems({ ...VALID, ...LINKING, TOKEN_ENCRYPTION_KEY: 'not base64 at all!' })).toHaveLength(1);
    expect(problems({ ...VALID, ...LINKING, PUBLIC_URL: 'https://bot.example.com/?x=1' })).toEqual([
      'PUBLIC_URL must have no query string or fragment',
    ]);
    expect(problems({ ...VALID, ...LINKING, PUBLIC_URL: 'http://bot.example.com' })).toEqual([
      'PUBLIC_URL must be https (plain http only for localhost, 127.0.0.1 or [::1])',
    ]);
    for (const local of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      expect(loadConfig({ ...VALID, ...LINKING, PUBLIC_URL: local }).linking.oauth).toBeDefined();
    }
  });
});
