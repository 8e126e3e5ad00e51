/**
 * The floor for ack latency: a bare Bolt app that only acks `/expire`, configured like the bot
 * (HTTP receiver, signing secret, the same Slack API URL) and started the same way.
 */
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200);
        res.end('{"ok":true}');
      },
    },
  ],
});
app.command('/expire', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
