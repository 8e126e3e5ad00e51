import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { slackClientOptions } from '../../src/app.js';
import type { SlackWait } from '../../src/slack/method-limits.js';
import { FAKE_BOT_TOKEN, FakeSlack } from '../helpers/fake-slack.js';

/** Issue 18's Slack faults, on a real WebClient configured as the app configures it, over real HTTP. */

const slack = await new FakeSlack().start();
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

function client(options: Parameters<typeof slackClientOptions>[1] = {}) {
  const waits: SlackWait[] = [];
  const web = new WebClient(FAKE_BOT_TOKEN, {
    ...slackClientOptions(slack.apiUrl, { onWait: (w) => waits.push(w), ...options }),
  });
  return { web, waits };
}

const timed = async <T>(work: Promise<T>) => {
  const started = Date.now();
  const result = await work.catch((e: unknown) => e);
  return { result, ms: Date.now() - started };
};

describe('Slack rate limits are per method', () => {
  it('a 429 on chat.postMessage does not pause views.open or users.info; the message is posted once after the wait', async () => {
    slack.users.set('U1', { tz: 'UTC', name: 'alice' });
    const { web, waits } = client();
    slack.fail({ method: 'chat.postMessage', retryAfterSeconds: 1 });
    const post = timed(web.chat.postMessage({ channel: 'C1', text: 'result' }));
    await slack.waitFor(() => slack.faulted.length > 0 || undefined);

    const other = await timed(web.users.info({ user: 'U1' }));
    expect(other.result).toMatchObject({ ok: true });
    expect(other.ms).toBeLessThan(500);
    const trigger = slack.trigger();
    const form = await timed(
      web.views.open({
        trigger_id: trigger,
        view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
      }),
    );
    expect(form.result).toMatchObject({ ok: true });
    expect(form.ms).toBeLessThan(500);

    const posted = await post;
    expect(posted.result).toMatchObject({ ok: true });
    expect(posted.ms).toBeGreaterThanOrEqual(1_000);
    expect(slack.messages.filter((m) => m.text === 'result')).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]!.method).toBe('chat.postMessage');
    expect(waits[0]!.ms).toBeGreaterThan(900);
  });

  it('a wait longer than the transport absorbs (Retry-After: 60) is a typed error at once, and the method is not asked again meanwhile', async () => {
    const { web } = client();
    slack.fail({ method: 'chat.postMessage', retryAfterSeconds: 60 });
    const first = await timed(web.chat.postMessage({ channel: 'C1', text: 'a' }));
    expect(first.result).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 60 });
    expect(first.ms).toBeLessThan(1_000);

    const again = await timed(web.chat.postMessage({ channel: 'C1', text: 'b' }));
    expect(again.result).toMatchObject({ code: ErrorCode.RateLimitedError });
    expect((again.result as { retryAfter: number }).retryAfter).toBeGreaterThan(55);
    expect(slack.faulted).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    // Other methods are untouched.
    expect(await web.chat.update({ channel: 'C1', ts: '1.1', text: 'x' }).catch((e) => e.data?.error)).toBe(
      'message_not_found',
    );
  });

  it('absorbs two short 429s in a row, not more: a limit that persists reaches the caller', async () => {
    const { web } = client();
    slack.fail({ method: 'chat.postMessage', retryAfterSeconds: 0, times: 3 });
    const posted = await timed(web.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(posted.result).toMatchObject({ code: ErrorCode.RateLimitedError });
    expect(slack.faulted).toHaveLength(3);
    expect(await web.chat.postMessage({ channel: 'C1', text: 'y' })).toMatchObject({ ok: true });
  });

  it('waits for Retry-After: 8 (within what it absorbs) rather than failing, and says so first', async () => {
    let clock = 0;
    const slept: number[] = [];
    const { web, waits } = client({
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    slack.fail({ method: 'chat.postMessage', retryAfterSeconds: 8 });
    expect(await web.chat.postMessage({ channel: 'C1', text: 'late' })).toMatchObject({ ok: true });
    expect(slept).toEqual([8_000]);
    expect(waits).toEqual([{ method: 'chat.postMessage', ms: 8_000 }]);
  });
});

describe('Slack deadlines', () => {
  it('a chat.postMessage that never answers is abandoned after its deadline and retried, so no worker is held', async () => {
    const { web } = client({ attemptTimeoutMs: 300 });
    slack.fail({ method: 'chat.postMessage', hang: true });
    const posted = await timed(web.chat.postMessage({ channel: 'C1', text: 'after a hang' }));
    expect(posted.result).toMatchObject({ ok: true });
    expect(posted.ms).toBeLessThan(2_000);
    expect(slack.messages.map((m) => m.text)).toEqual(['after a hang']);
  });

  it('a Slack that never answers at all ends in a typed request error within seconds', async () => {
    const { web } = client({ attemptTimeoutMs: 200 });
    slack.fail({ method: 'chat.postMessage', hang: true, times: 10 });
    const posted = await timed(web.chat.postMessage({ channel: 'C1', text: 'never' }));
    expect(posted.result).toMatchObject({ code: ErrorCode.RequestError });
    expect(posted.ms).toBeLessThan(3_000);
    expect(slack.faulted).toHaveLength(3); // the first attempt and two retries
  });
});
