/**
 * Approvals in Slack: from an approver's Approve click to the change applied in LaunchDarkly and
 * the request's message updated in place, with 50 requests pending and commands being acked
 * meanwhile (500, 25 at a time, as the ack section sends them). In one process with the fakes.
 */
import { ACTIONS } from '../src/slack/ids.js';
import { startBot } from '../test/helpers/bot.js';
import { freshDatabase, sqliteUrl } from '../test/helpers/databases.js';
import type { FakeLaunchDarkly } from '../test/helpers/fake-launchdarkly.js';
import type { FakeSlack } from '../test/helpers/fake-slack.js';
import { clickButton, commandBody, postSigned } from '../test/helpers/slack-requests.js';
import { percentiles } from './stats.js';

const PENDING = 50;
const ACKERS = 25;
const COMMANDS = 500;

export async function benchApprovals(
  slack: FakeSlack,
  ld: FakeLaunchDarkly,
  row: (what: string, value: string, target?: string) => void,
) {
  slack.users.set('U1', { tz: 'UTC', name: 'alice' });
  slack.users.set('U2', { tz: 'UTC', name: 'bob' });
  const database = await freshDatabase(sqliteUrl());
  const env = {
    LOG_LEVEL: 'warn',
    CHANGE_POLICY: '*/*=*',
    APPROVERS: '*/production=U2',
    PROTECTED_ENVIRONMENTS: 'none',
  };
  const bot = await startBot(slack, ld, env, { database });
  const requests = () => slack.messages.filter((m) => m.text?.includes('asks for approval'));
  const before = requests().length;
  for (let i = 0; i < PENDING; i++) {
    await postSigned(
      bot.url,
      commandBody({
        text: `flag new-checkout appr-${i} in 2 weeks --grant --variation on`,
        response_url: slack.responseUrl(),
      }),
    );
  }
  await slack.waitFor(() => requests().length >= before + PENDING || undefined, 60_000);
  const pending = requests().slice(before);

  // The usual ack load meanwhile: 500 commands in staging (no approval there), 25 at a time.
  let acked = 0;
  let sentCommands = 0;
  const ackers = Array.from({ length: ACKERS }, async (_, a) => {
    for (let i = 0; sentCommands++ < COMMANDS; i++) {
      const res = await postSigned(
        bot.url,
        commandBody({
          text: `flag new-checkout ack-${a}-${i} in 2 weeks --env staging --grant --variation on`,
          response_url: slack.responseUrl(),
        }),
      );
      if (res.status === 200) acked++;
    }
  });

  const latencies: number[] = [];
  for (const message of pending) {
    const id = message.blocks!.find((b: any) => b.type === 'actions').elements[0].value;
    const sent = performance.now();
    await clickButton(bot.url, {
      user: { id: 'U2', name: 'bob' },
      actionId: ACTIONS.approvalApprove,
      value: id,
      channel: message.channel,
      messageTs: message.ts,
      triggerId: slack.trigger(),
      responseUrl: slack.responseUrl(),
    });
    await slack.waitFor(() => message.text?.includes('Applied') || undefined, 60_000);
    latencies.push(performance.now() - sent);
  }
  await Promise.all(ackers);
  await bot.work.idle();
  await bot.stop();
  await database.close();
  const p = percentiles(latencies);
  row(
    `approval: Approve click → change applied → request message updated, ${PENDING} pending, ${COMMANDS} commands sent ${ACKERS} at a time meanwhile (${acked} acked)`,
    `p50 ${p.p50} ms, p99 ${p.p99} ms (${p.n} approvals)`,
  );
  return { ...p, pending: PENDING, ackers: ACKERS, acked };
}
