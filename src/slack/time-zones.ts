import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { TtlCache } from './lookups.js';

/** Each Slack user's time zone (`users.info` → `tz`), cached for an hour; the default when unset. */
export class TimeZones {
  private readonly cache: TtlCache<string>;

  constructor(
    private readonly defaultZone: string,
    private readonly logger: Logger,
    now: () => Date,
  ) {
    this.cache = new TtlCache(60 * 60_000, () => now().getTime());
  }

  async of(client: WebClient, userId: string): Promise<string> {
    try {
      return await this.cache.get(userId, async () => {
        const answer = await client.users.info({ user: userId });
        return typeof answer.user?.tz === 'string' && answer.user.tz ? answer.user.tz : this.defaultZone;
      });
    } catch (error) {
      // Without the zone we can still serve the person: in the default zone, which the
      // confirmation shows. A failure is not cached, so the next command asks again.
      this.logger.warn({ err: error, userId }, 'users.info failed; using the default time zone');
      return this.defaultZone;
    }
  }
}
