/**
 * The fake Slack and fake LaunchDarkly in a process of their own, so the load generator's clock
 * is not slowed by their work. A small control server lets the bench steer and query them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeLaunchDarkly } from '../test/helpers/fake-launchdarkly.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { seed } from '../test/helpers/ld-fixtures.js';

const slack = await new FakeSlack().start();
const ld = seed(await new FakeLaunchDarkly({ checkSchemas: false }).start());
slack.users.set('U1', { tz: 'America/Los_Angeles', name: 'alice' });
const epoch = (t: number) => performance.timeOrigin + t;

const control = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  const json = (body: unknown, status = 200) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  switch (url.pathname) {
    case '/ld-delay':
      ld.delayMs = Number(url.searchParams.get('ms') ?? 0);
      return json({ ok: true });
    case '/trigger':
      return json({ trigger: slack.trigger() });
    case '/views-open': {
      const call = slack
        .callsTo('views.open')
        .find((c) => c.args.trigger_id === url.searchParams.get('trigger'));
      return call ? json({ receivedAt: epoch(call.receivedAt), ok: call.response.ok }) : json({}, 404);
    }
    case '/counts':
      return json({
        ldRequests: ld.requests.length,
        slackCalls: slack.calls.length,
        violations: slack.violations.length,
      });
    default:
      return json({}, 404);
  }
});
await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
const info = {
  control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  slackApiUrl: slack.apiUrl,
  slackUrl: slack.url,
  ldUrl: ld.url,
  ldToken: ld.token,
};
process.stdout.write(`${JSON.stringify(info)}\n`);
process.on('SIGTERM', () => process.exit(0));
