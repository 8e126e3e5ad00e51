import { afterAll, expect } from 'vitest';
import { FAKE_LD_TOKEN } from './fake-launchdarkly.js';
import { ISSUED_OAUTH_SECRETS } from './fake-ld-oauth.js';
import { FAKE_BOT_TOKEN } from './fake-slack.js';
import { surfaces } from './leak-registry.js';
import { SIGNING_SECRET } from './slack-requests.js';

/** Every test file ends by scanning all its bots logged and sent to Slack for the test tokens. */
export const TEST_SECRETS = [FAKE_BOT_TOKEN, SIGNING_SECRET, FAKE_LD_TOKEN, 'xapp-1-fake-app-token'];

afterAll(() => {
  for (const surface of surfaces.splice(0)) {
    const text = surface.read();
    // With every token and code the fake LaunchDarkly issued to linked people.
    for (const secret of [...TEST_SECRETS, ...ISSUED_OAUTH_SECRETS]) {
      const at = text.indexOf(secret);
      expect(
        at < 0,
        `${surface.name} contains a secret: …${text.slice(Math.max(0, at - 300), at + 50)}…`,
      ).toBe(true);
    }
  }
});
