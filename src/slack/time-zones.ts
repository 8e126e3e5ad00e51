import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';

const TTL_MS = 60 * 60_000;

/** Each Slack user's time zone (`users.info` → `tz`), cached for an hour; the default when unset. */
export class TimeZones {
  private readonly cache = new Map<string, { zone: string; at: number }>();

  constructor(
    private readonly defaultZone: string,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  async of(client: WebClient, userId: string): Promise<string> {
    const cached = this.cache.get(userId);
    const now = this.now().getTime();
    if (cached && now - cached.at < TTL_MS) return cached.zone;
    let zone = this.defaultZone;
    try {
      const answer = await client.users.info({ user: userId });
      if (typeof answer.user?.tz === 'string' && answer.user.tz) zone = answer.user.tz;
    } catch (error) {
      // Without the zone we can still serve the person: in the default zone, which the
      // confirmation shows. Not cached, so the next command asks again.
      this.logger.warn({ err: error, userId }, 'users.info failed; using the default time zone');
      return zone;
    }
    this.cache.set(userId, { zone, at: now });
    return zone;
  }
}
