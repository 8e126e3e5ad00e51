import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { LaunchDarklyClient } from '../launchdarkly/client.js';
import { LdOAuth } from '../launchdarkly/oauth.js';
import { launchDarklyObserver } from '../metrics.js';
import { ActAs } from './acting.js';
import { Linking, OAUTH_CALLBACK_PATH } from './linking.js';

/**
 * Who changes are made as (LD_ACT_AS) and, with the OAuth client configured, linking: built once
 * for the app. A person's client is the bot's in all but its token (`Bearer …`) and whose errors
 * its failures are; its requests are counted in the same metrics.
 */
export function actingFor(
  config: Config,
  deps: Pick<Deps, 'ld' | 'links' | 'logger' | 'metrics' | 'now' | 'work'>,
  /** A Slack user's profile email: a link answered by someone else's LaunchDarkly member is refused. */
  emailOf?: (userId: string) => Promise<string | undefined>,
): { actAs: ActAs; linking: Linking | undefined } {
  const { oauth: client, actAs: mode } = config.linking;
  if (client && !deps.links) throw new Error('linking is configured but the app was given no link store');
  const clientOf = (authorization: string) =>
    new LaunchDarklyClient({
      baseUri: config.launchDarkly.baseUri,
      accessToken: authorization,
      actor: 'person',
      logger: deps.logger.child({ component: 'launchdarkly', as: 'person' }),
      ...launchDarklyObserver(deps.metrics),
    });
  const oauth =
    client &&
    new LdOAuth({
      baseUri: config.launchDarkly.baseUri,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: `${client.publicUrl}${OAUTH_CALLBACK_PATH}`,
    });
  const links = client ? deps.links : undefined;
  const actAs = new ActAs({ mode, bot: deps.ld, links, oauth, clientOf, now: deps.now, logger: deps.logger });
  const linking =
    oauth && links
      ? new Linking({
          links,
          oauth,
          actAs,
          clientOf,
          work: deps.work,
          now: deps.now,
          logger: deps.logger,
          emailOf,
        })
      : undefined;
  return { actAs, linking };
}
