import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets, toBoltLogger } from '../src/log.js';

const SECRET = 'xoxb-very-secret-token';

describe('logger', () => {
  it('scrubs secrets from every line: messages, objects, errors and their stacks', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      secrets: [SECRET],
      destination: { write: (l) => lines.push(l) },
    });
    logger.info(`token is ${SECRET}`);
    logger.error({ err: new Error(`failed with ${SECRET}`) }, 'boom');
    logger.warn({ config: { headers: { Authorization: SECRET } } }, 'axios-like');
    toBoltLogger(logger).error('bolt says', { token: SECRET });
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain(SECRET);
    expect(lines[0]).toContain('[redacted]');
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', secrets: [], destination: { write: (l) => lines.push(l) } });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });

  it('redactSecrets leaves text without secrets alone', () => {
    expect(redactSecrets('nothing here', [SECRET])).toBe('nothing here');
    expect(redactSecrets(`a ${SECRET} b ${SECRET}`, [SECRET])).toBe('a [redacted] b [redacted]');
  });
});
