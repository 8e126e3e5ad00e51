import { describe, expect, it } from 'vitest';
import { decide, groupsIn, parsePolicy } from '../../src/domain/policy.js';

const policy = (text: string) => {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.policy;
};

describe('policy', () => {
  const p = policy('*/production=U1,S0RELEASE; web/production=U2; */staging=*; */*=U9');
  const who = (project: string, environment: string, userId: string, groups: string[] = []) =>
    decide(p, { project, environment, userId, groups });

  it('the most specific rule decides', () => {
    expect(who('web', 'production', 'U2')).toMatchObject({
      allowed: true,
      rule: { text: 'web/production=U2' },
    });
    expect(who('web', 'production', 'U1')).toMatchObject({
      allowed: false,
      rule: { text: 'web/production=U2' },
    });
    expect(who('api', 'production', 'U1')).toMatchObject({
      allowed: true,
      rule: { text: '*/production=U1,S0RELEASE' },
    });
    expect(who('api', 'production', 'U5', ['S0RELEASE'])).toMatchObject({ allowed: true });
    expect(who('api', 'staging', 'U5')).toMatchObject({ allowed: true });
    expect(who('api', 'test', 'U9')).toMatchObject({ allowed: true, rule: { text: '*/*=U9' } });
    expect(who('api', 'test', 'U5')).toMatchObject({ allowed: false });
  });

  it('denies where no rule covers the environment', () => {
    expect(
      decide(policy('*/staging=*'), { project: 'p', environment: 'production', userId: 'U1', groups: [] }),
    ).toEqual({
      allowed: false,
    });
  });

  it('lists the groups it names', () => {
    expect(groupsIn(p)).toEqual(['S0RELEASE']);
  });

  it.each(['', 'production=U1', '*/production=', '*/production=alice', 'a b/c=U1', '*/prod=U1;;x'])(
    'refuses %j',
    (text) => {
      expect(parsePolicy(text).ok).toBe(false);
    },
  );
});
