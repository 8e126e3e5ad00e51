import { expect } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import type { Db } from '../../src/store/database.js';
import type { FakeLaunchDarkly } from './fake-launchdarkly.js';
import { FAKE_OAUTH_CLIENT, type FakeMember } from './fake-ld-oauth.js';
import type { FakeSlack } from './fake-slack.js';
import type { Clicker } from './slack-requests.js';
import { commandBody, postSigned } from './slack-requests.js';

/** The bot's public URL in tests: a proxy in front of it, as LaunchDarkly's redirect names it. */
export const PUBLIC_URL = 'https://expiry-bot.example.com';

/** The variables that let people link (PRODUCT §15), acting as `actAs`. */
export function linkingEnv(actAs: 'bot' | 'person' = 'person') {
  return {
    LD_OAUTH_CLIENT_ID: FAKE_OAUTH_CLIENT.id,
    LD_OAUTH_CLIENT_SECRET: FAKE_OAUTH_CLIENT.secret,
    PUBLIC_URL,
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 11).toString('base64'),
    LD_ACT_AS: actAs,
  };
}

/** The URL of the Link button in what the bot sent privately (a response_url answer) or to a DM. */
export function linkButtonUrl(slack: FakeSlack, where: 'private' | string): string | undefined {
  const bodies =
    where === 'private'
      ? slack.responseUrlPosts.map((p) => p.body)
      : slack.messages.filter((m) => m.channel === where);
  for (const body of [...bodies].reverse()) {
    for (const block of (body as any).blocks ?? []) {
      const button = block.elements?.find((e: any) => e.action_id === ACTIONS.linkOpen);
      if (button) return button.url;
    }
  }
  return undefined;
}

/** What the browser does with LaunchDarkly's redirect to PUBLIC_URL: it reaches this bot. */
export function followRedirect(botUrl: string, location: string) {
  const url = new URL(location);
  expect(url.origin).toBe(PUBLIC_URL);
  return fetch(`${botUrl}${url.pathname}${url.search}`);
}

/** `/expire link` as `user`, then `member` logs in at LaunchDarkly and is sent back to the bot. */
export async function linkAccount(
  fakes: { slack: FakeSlack; ld: FakeLaunchDarkly },
  botUrl: string,
  member: FakeMember,
  user: Clicker,
) {
  const { slack, ld } = fakes;
  const before = linkButtonUrl(slack, 'private');
  const asked = await postSigned(
    botUrl,
    commandBody({ text: 'link', user_id: user.id, user_name: user.name, response_url: slack.responseUrl() }),
  );
  expect(asked.status).toBe(200);
  // Its own button: not one an earlier link left among the private answers (another private answer,
  // a change held for the link say, may come first).
  const url = await slack.waitFor(() => {
    const found = linkButtonUrl(slack, 'private');
    return found !== before ? found : undefined;
  });
  const location = ld.oauth.authorizeAs(member, url);
  const res = await followRedirect(botUrl, location);
  return { res, location, page: await res.text() };
}

/** The changes held for a person's link: their jobs' ids. */
export async function linkWaits(database: Db): Promise<string[]> {
  const rows = await database.db.selectFrom('ld_link_waits').select('job_id').execute();
  return rows.map((r) => r.job_id);
}

/** Resolves once the changes held for a link are back in the queue (their jobs no longer running). */
export async function heldInQueue(database: Db): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const ids = await linkWaits(database);
    const jobs = ids.length
      ? await database.db.selectFrom('jobs').select('state').where('id', 'in', ids).execute()
      : [];
    if (jobs.length > 0 && jobs.every((j) => j.state === 'queued')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no change was held for a link');
}
