import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import type { ResourceRef } from '../../src/domain/vocabulary.js';
import { LaunchDarklyClient, type LaunchDarklyClientOptions } from '../../src/launchdarkly/client.js';
import type { ExpiryChange } from '../../src/launchdarkly/instructions.js';
import { FakeLaunchDarkly } from './fake-launchdarkly.js';

export const PROJECT = 'default';

/** One project, three environments (vault is critical), a flag and a segment that have targets. */
export function seed(fake: FakeLaunchDarkly): FakeLaunchDarkly {
  return fake
    .addProject(PROJECT, ['production', 'staging', { key: 'vault', critical: true }])
    .addFlag(PROJECT, {
      key: 'new-checkout',
      name: 'New checkout',
      variations: [
        { value: true, name: 'on' },
        { value: false, name: 'off' },
      ],
      targets: {
        production: [
          { variation: 0, values: ['sandy', 'bob'] },
          { variation: 0, values: ['acme'], contextKind: 'organization' },
          { variation: 1, values: ['eve'] },
        ],
        staging: [{ variation: 0, values: ['sandy'] }],
      },
    })
    .addSegment(PROJECT, 'production', {
      key: 'beta-testers',
      name: 'Beta testers',
      included: ['sandy', 'bob'],
      excluded: ['mallory'],
      includedContexts: [{ contextKind: 'organization', values: ['acme'] }],
    });
}

/** A client for the fake that never really sleeps: waits are recorded instead. */
export function clientFor(fake: FakeLaunchDarkly, options: Partial<LaunchDarklyClientOptions> = {}) {
  const waits: number[] = [];
  const client = new LaunchDarklyClient({
    baseUri: fake.url,
    accessToken: fake.token,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { client, waits };
}

/** The seeded flag and segment, in production. */
export const FLAG: ResourceRef = {
  kind: 'flag',
  projectKey: PROJECT,
  key: 'new-checkout',
  environmentKey: 'production',
};
export const SEGMENT: ResourceRef = {
  kind: 'segment',
  projectKey: PROJECT,
  key: 'beta-testers',
  environmentKey: 'production',
};

/**
 * A fake LaunchDarkly for one test file, seeded afresh before each test; after each, nothing our
 * client sent (or the fake answered) broke LaunchDarkly's schemas.
 */
export async function seededFakePerFile(): Promise<FakeLaunchDarkly> {
  const fake = await new FakeLaunchDarkly().start();
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.clear();
    seed(fake);
  });
  afterEach(() => {
    expect(fake.schemaViolations).toEqual([]);
  });
  return fake;
}

/** Schedules the expiry of `key` on the seeded flag's "on" variation. */
export function addOn(fake: FakeLaunchDarkly, key: string, extra: Partial<ExpiryChange> = {}): ExpiryChange {
  return {
    op: 'add',
    contextKind: 'user',
    key,
    variationId: fake.variationId(PROJECT, 'new-checkout', 0),
    value: Date.now() + 7 * 86_400_000,
    ...extra,
  };
}
