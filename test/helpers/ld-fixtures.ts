import { LaunchDarklyClient, type LaunchDarklyClientOptions } from '../../src/launchdarkly/client.js';
import type { FakeLaunchDarkly } from './fake-launchdarkly.js';

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
