// CPU per Slack Web API call through Slack's WebClient, with Node's built-in fetch or with the
// compiled dist/slack/http-fetch.js: `node bench/slack-fetch.mjs <apiUrl> <token> <builtin|http> <calls>`.
// Plain JavaScript on purpose, so that any Node binary runs it without a loader in the way.
import { WebClient } from '@slack/web-api';

const [apiUrl, token, which, callsArg] = process.argv.slice(2);
const calls = Number(callsArg);
const { createHttpFetch } = await import('../dist/slack/http-fetch.js');
const client = new WebClient(token, {
  slackApiUrl: apiUrl,
  retryConfig: { retries: 0 },
  ...(which === 'http' ? { fetch: createHttpFetch() } : {}),
});
const message = {
  channel: 'C1',
  text: 'Scheduled 1 target on flag new-checkout',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '✅ scheduled `sandy` on *new-checkout*' } }],
};
const CONCURRENCY = 25;
async function run(n) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await client.chat.postMessage(message);
    }),
  );
}
await run(300); // warm-up: connections, JIT
const cpu0 = process.cpuUsage();
const started = performance.now();
await run(calls);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ cpuUsPerCall: (cpu.user + cpu.system) / calls, wallMs: performance.now() - started })}\n`,
);
