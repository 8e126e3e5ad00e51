import { describe, expect, it } from 'vitest';
import { auditLogEntry, parseResourceSpecifier, toAuditEntry } from '../../src/launchdarkly/audit-log.js';
import { LaunchDarklyClient } from '../../src/launchdarkly/client.js';
import { BOT_TOKEN_ACTOR } from '../helpers/fake-launchdarkly.js';
import { clientFor, PROJECT, seededFakePerFile } from '../helpers/ld-fixtures.js';

const ld = await seededFakePerFile();

describe('lists for a full scan', () => {
  it('pages through a project’s flags with their targets in one environment', async () => {
    for (let i = 0; i < 230; i++) {
      ld.addFlag(PROJECT, {
        key: `flag-${String(i).padStart(3, '0')}`,
        targets: i % 10 === 0 ? { production: [{ variation: 0, values: [`user-${i}`] }] } : {},
      });
    }
    const { client } = clientFor(ld);
    const seen: Array<{ key: string; targeted: boolean | undefined }> = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const page = await client.listFlagsPage(PROJECT, 'production', offset);
      seen.push(...page.items);
      offset = page.nextOffset;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(231);
    expect(seen.filter((f) => f.targeted).map((f) => f.key)).toContain('new-checkout');
    expect(seen.filter((f) => f.targeted)).toHaveLength(24);
    expect(
      ld.requests.every((r) => r.query.get('env') === 'production' && r.query.get('summary') === '0'),
    ).toBe(true);
  });

  it('pages through an environment’s segments and knows which include or exclude anyone', async () => {
    for (let i = 0; i < 120; i++) ld.addSegment(PROJECT, 'production', { key: `seg-${i}` });
    const { client } = clientFor(ld);
    const first = await client.listSegmentsPage(PROJECT, 'production', 0);
    expect(first.items).toHaveLength(100);
    expect(first.nextOffset).toBe(100);
    const second = await client.listSegmentsPage(PROJECT, 'production', 100);
    expect(second.items).toHaveLength(21);
    expect(second.nextOffset).toBeUndefined();
    const all = [...first.items, ...second.items];
    expect(all.find((s) => s.key === 'beta-testers')?.targeted).toBe(true);
    expect(all.find((s) => s.key === 'seg-0')?.targeted).toBe(false);
  });
});

describe('the audit log', () => {
  it('reads both specifiers of one environment in one POST, after a date, every page', async () => {
    let clock = 1_900_000_000_000;
    ld.now = () => clock;
    for (let i = 0; i < 45; i++) {
      clock += 1_000;
      ld.audit('flag', PROJECT, 'new-checkout', 'production', 'updateExpiringTargets');
    }
    ld.audit('segment', PROJECT, 'beta-testers', 'production', 'updateIncluded', BOT_TOKEN_ACTOR);
    ld.audit('flag', PROJECT, 'new-checkout', 'staging', 'updateExpiringTargets');
    const { client } = clientFor(ld);

    const entries = await client.searchAuditLog(PROJECT, 'production', 1_900_000_000_000 + 5_000);
    expect(entries).toHaveLength(41);
    expect(entries[0]).toMatchObject({
      actor: 'ld-expiry-bot',
      resources: [
        { kind: 'segment', projectKey: PROJECT, environmentKey: 'production', key: 'beta-testers' },
      ],
    });
    expect(entries[1]).toMatchObject({
      actor: 'Ariel Flores',
      resources: [{ kind: 'flag', key: 'new-checkout' }],
    });
    const posts = ld.requests.filter((r) => r.path === '/api/v2/auditlog');
    expect(posts).toHaveLength(3);
    expect(posts[0]!.method).toBe('POST');
    expect(posts[0]!.body).toEqual([
      {
        effect: 'allow',
        resources: [`proj/${PROJECT}:env/production:flag/*`, `proj/${PROJECT}:env/production:segment/*`],
        actions: ['*'],
      },
    ]);
    expect(posts[1]!.query.get('before')).not.toBeNull();
  });

  it('answers nothing new with one request', async () => {
    const { client } = clientFor(ld);
    expect(await client.searchAuditLog(PROJECT, 'production', Date.now())).toEqual([]);
    expect(ld.requests).toHaveLength(1);
  });

  it('parses a webhook payload with the same parser, and only names single flags and segments', () => {
    const entry = auditLogEntry.parse({
      _id: 'abc',
      date: 1,
      accesses: [{ action: 'updateName', resource: 'proj/default:env/production:flag/f1;tag' }],
      target: { resources: ['proj/default:env/*:flag/*'] },
      member: { email: 'ariel@acme.com' },
    });
    expect(toAuditEntry(entry)).toEqual({
      id: 'abc',
      date: 1,
      actor: 'ariel@acme.com',
      resources: [{ kind: 'flag', projectKey: 'default', environmentKey: 'production', key: 'f1' }],
      actions: ['updateName'],
    });
    expect(parseResourceSpecifier('proj/default:env/production')).toBeUndefined();
    expect(parseResourceSpecifier('proj/default:env/production:segment/s')).toMatchObject({
      kind: 'segment',
    });
    expect(parseResourceSpecifier('garbage')).toBeUndefined();
  });
});

describe('a simulated per-route rate limit', () => {
  it('sends LaunchDarkly’s headers and 429s; the client waits them out and never comes back early', async () => {
    let clock = 1_900_000_000_000;
    ld.now = () => clock;
    ld.routeLimit = { perWindow: 5, windowMs: 10_000 };
    const client = new LaunchDarklyClient({
      baseUri: ld.url,
      accessToken: ld.token,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 0,
    });
    const ref = {
      kind: 'flag' as const,
      projectKey: PROJECT,
      key: 'new-checkout',
      environmentKey: 'production',
    };
    for (let i = 0; i < 23; i++) await client.getExpiringUserTargets(ref);
    const answered = ld.requests.filter((r) => r.status === 200);
    expect(answered).toHaveLength(23);
    expect(ld.rateLimited.earlyRetries).toBe(0);
    // 5 per 10 s: 23 requests need four full windows.
    expect(clock - 1_900_000_000_000).toBeGreaterThanOrEqual(40_000);
  });

  it('answers 429 with Retry-After when another tool used the route up; the client waits it out', async () => {
    let clock = 1_900_000_000_000;
    ld.now = () => clock;
    ld.routeLimit = { perWindow: 3, windowMs: 10_000 };
    const ref = {
      kind: 'flag' as const,
      projectKey: PROJECT,
      key: 'new-checkout',
      environmentKey: 'production',
    };
    const path = `/api/v2/flags/${PROJECT}/new-checkout/expiring-user-targets/production`;
    // Another token of the same account takes the whole window first.
    for (let i = 0; i < 3; i++) {
      await fetch(`${ld.url}${path}`, { headers: { Authorization: ld.token, 'LD-API-Version': '20240415' } });
    }
    const waits: number[] = [];
    const client = new LaunchDarklyClient({
      baseUri: ld.url,
      accessToken: ld.token,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      random: () => 0,
    });
    await client.getExpiringUserTargets(ref);
    expect(ld.rateLimited.answered).toBe(1);
    expect(ld.requests.map((r) => r.status)).toEqual([200, 200, 200, 429, 200]);
    expect(waits[0]).toBeGreaterThanOrEqual(10_000);
    expect(ld.rateLimited.earlyRetries).toBe(0);
  });
});
