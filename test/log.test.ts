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

  it('logs an error by its plain fields only, never the client or request it holds', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      secrets: [],
      destination: { write: (l) => lines.push(l) },
    });
    const pgLike = Object.assign(new Error('Connection terminated unexpectedly'), {
      code: '57P01',
      client: { password: 'hunter2', secretKey: 1234, connectionParameters: { password: 'hunter2' } },
    });
    const axiosLike = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      config: { headers: { Authorization: 'api-abc' }, url: '/x' },
      request: { _header: 'Authorization: api-abc' },
      cause: Object.assign(new Error('inner'), { socket: { token: 'api-abc' } }),
    });
    logger.error({ err: pgLike }, 'pg');
    logger.error({ err: axiosLike }, 'axios');
    const [pg, ax] = lines.map((l) => JSON.parse(l));
    expect(pg.err).toMatchObject({
      type: 'Error',
      message: 'Connection terminated unexpectedly',
      code: '57P01',
    });
    expect(ax.err).toMatchObject({ code: 'ECONNRESET', cause: { message: 'inner' } });
    expect(lines.join('')).not.toMatch(/hunter2|secretKey|api-abc/);
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
