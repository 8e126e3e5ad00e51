import axios from 'axios';
import type { Message } from './blocks/result.js';

/** A response_url answers within Slack's limits or not at all; a person is waiting. */
const TIMEOUT_MS = 10_000;

/**
 * Answers through a command's or a button's response_url — from any process, so a job resumed
 * after a crash can still answer. A response_url works five times within 30 minutes; when it no
 * longer does, `otherwise` (a DM) carries the message.
 */
export function responder(
  url: string | undefined,
  otherwise: (message: Message) => Promise<unknown>,
): (
  message: Partial<Message> & { text: string; response_type?: string; replace_original?: boolean },
) => Promise<unknown> {
  return async (message) => {
    if (url) {
      try {
        await axios.post(url, message, { timeout: TIMEOUT_MS });
        return;
      } catch {
        // Expired, used up, or unreachable: the person hears another way.
      }
    }
    await otherwise({
      text: message.text,
      blocks: message.blocks ?? [{ type: 'section', text: { type: 'mrkdwn', text: message.text } }],
    });
  };
}
