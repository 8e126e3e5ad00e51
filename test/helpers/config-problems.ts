import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/** The least environment the bot starts with (HTTP mode). */
export const VALID_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-123-456-abcdef',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  LD_ACCESS_TOKEN: 'api-0123456789abcdef',
  LD_PROJECT: 'default',
  LD_ENVIRONMENT: 'production',
};

/** The problems `loadConfig` names for `env` (it must refuse it). */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}
