import { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { Router } from '../../src/slack/router.js';

/** A Bolt app that never starts: its listeners are driven through processEvent. */
function app() {
  return new App({
    token: 'xoxb-test',
    signingSecret: 'secret',
    botId: 'B1',
    botUserId: 'U0',
    tokenVerificationEnabled: false,
  });
}

function blockAction(actionId: string) {
  const body = {
    type: 'block_actions',
    user: { id: 'U1' },
    team: { id: 'T1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value: 'v', action_ts: '1' }],
  };
  return { body, ack: async () => undefined };
}

describe('Router', () => {
  it('puts one Bolt listener per kind in front of any number of handlers', () => {
    const bolt = app();
    const router = new Router(bolt);
    for (let i = 0; i < 20; i++) router.action(`button_${i}`, async () => undefined);
    expect((bolt as unknown as { listeners: unknown[] }).listeners).toHaveLength(3);
  });

  it('hands an action to the handler of its id, or of its prefix, and ignores others', async () => {
    const bolt = app();
    const router = new Router(bolt);
    const seen: string[] = [];
    router.action('exact', async ({ action }) => void seen.push(`exact:${action.action_id}`));
    router.action({ prefix: 'page_' }, async ({ action }) => void seen.push(`prefix:${action.action_id}`));
    for (const id of ['exact', 'page_next', 'unknown']) await bolt.processEvent(blockAction(id) as never);
    expect(seen).toEqual(['exact:exact', 'prefix:page_next']);
  });

  it('refuses two handlers for one id', () => {
    const router = new Router(app());
    router.view('form', async () => undefined);
    expect(() => router.view('form', async () => undefined)).toThrow(/two handlers for form/);
  });
});
