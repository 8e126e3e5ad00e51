import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
