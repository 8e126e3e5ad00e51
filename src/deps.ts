import type { LaunchDarklyClient } from './launchdarkly/client.js';
import type { Logger } from './log.js';

/** What listeners and services need from the outside world, passed in so tests can build the app with fakes. */
export interface Deps {
  ld: LaunchDarklyClient;
  logger: Logger;
  /** The clock; nothing below reads Date.now() itself. */
  now: () => Date;
}
