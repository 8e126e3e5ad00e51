import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { TtlCache } from './lookups.js';

/** Which of some user groups a person is in (`usergroups.users.list`), cached for five minutes. */
export class UserGroups {
  private readonly members: TtlCache<Set<string>>;

  constructor(
    private readonly logger: Logger,
    now: () => number,
  ) {
    this.members = new TtlCache(5 * 60_000, now);
  }

  async of(client: WebClient, userId: string, groupIds: readonly string[]): Promise<string[]> {
    const found: string[] = [];
    for (const group of groupIds) {
      try {
        const users = await this.members.get(group, async () => {
          const answer = await client.usergroups.users.list({ usergroup: group });
          return new Set(answer.users ?? []);
        });
        if (users.has(userId)) found.push(group);
      } catch (error) {
        // Unknown membership counts as not a member: a refusal, never a wrong permission.
        this.logger.warn({ err: error, group }, 'usergroups.users.list failed');
      }
    }
    return found;
  }
}
