import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';

/** What Bolt gives a slash command's listener. */
export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
