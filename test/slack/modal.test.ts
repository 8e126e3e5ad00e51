import { describe, expect, it } from 'vitest';
import { MODAL } from '../../src/slack/ids.js';
import { MODAL_ERRORS } from '../../src/slack/modal-submission.js';
import { FORM_TOO_LATE } from '../../src/slack/reply.js';
import { botPerTest, fakesPerFile } from '../helpers/bot-per-test.js';
import { sqliteUrl } from '../helpers/databases.js';
import { PROJECT, seed } from '../helpers/ld-fixtures.js';
import { commandBody, interactionBody, postSigned } from '../helpers/slack-requests.js';

const fakes = fakesPerFile();
const { slack, ld } = fakes;
const ctx = botPerTest(fakes, { databaseUrl: sqliteUrl, clock: 'wall' });
const USER = { id: 'U1', username: 'alice', name: 'alice', team_id: 'T1' };
const B = MODAL.blocks;
const A = MODAL.actions;

interface Fields {
  action?: string;
  kind?: 'flag' | 'segment';
  project?: string;
  environment?: string;
  resource?: string;
  variation?: string;
  targetType?: string;
  targets?: string;
  when?: string;
  grant?: boolean;
}

/** `view.state.values` as Slack sends it for these field values. */
function values(f: Fields) {
  const kind = f.kind ?? 'flag';
  const selected = (value?: string) => ({
    type: 'x',
    selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null,
  });
  const v: Record<string, Record<string, unknown>> = {
    [B.action]: { [A.action]: selected(f.action ?? 'add') },
    [B.kind]: { [A.kind]: selected(kind) },
    [B.project]: { [A.project]: { type: 'plain_text_input', value: f.project ?? PROJECT } },
    [B.environment]: { [A.environment]: selected(f.environment ?? 'production') },
    [`${B.resource}_${kind}`]: { [kind === 'flag' ? A.flag : A.segment]: selected(f.resource) },
    [B.targets]: { [A.targets]: { type: 'plain_text_input', value: f.targets ?? null } },
    [B.when]: { [A.when]: { type: 'plain_text_input', value: f.when ?? null } },
    [B.grant]: { [A.grant]: { type: 'checkboxes', selected_options: f.grant ? [{ value: 'grant' }] : [] } },
  };
  if (f.variation !== undefined) v[`${B.variation}_${f.resource}`] = { [A.variation]: selected(f.variation) };
  if (f.targetType) v[B.targetType] = { [A.targetType]: selected(f.targetType) };
  return v;
}

/** Opens the modal with `/expire` and returns the view Slack now shows. */
async function openModal() {
  const trigger = slack.trigger();
  const res = await postSigned(
    ctx.bot.url,
    commandBody({ text: '', trigger_id: trigger, response_url: slack.responseUrl() }),
  );
  expect(res.status).toBe(200);
  const call = await slack.waitFor(() => slack.callsTo('views.open')[0]);
  expect(call.response.ok).toBe(true);
  return { ...call.response.view, ms: res.ms };
}

function view(opened: any, f: Fields) {
  return { ...opened, state: { values: values(f) } };
}

function suggest(opened: any, actionId: string, value: string, f: Fields = {}) {
  return postSigned(
    ctx.bot.url,
    interactionBody({
      type: 'block_suggestion',
      user: USER,
      team: { id: 'T1', domain: 'acme' },
      api_app_id: 'A1',
      token: 't',
      container: { type: 'view', view_id: opened.id },
      action_id: actionId,
      block_id: 'b',
      value,
      view: view(opened, f),
    }),
  );
}

function act(opened: any, actionId: string, f: Fields) {
  return postSigned(
    ctx.bot.url,
    interactionBody({
      type: 'block_actions',
      user: USER,
      team: { id: 'T1', domain: 'acme' },
      api_app_id: 'A1',
      token: 't',
      container: { type: 'view', view_id: opened.id },
      trigger_id: slack.trigger(),
      view: view(opened, f),
      actions: [{ type: 'x', action_id: actionId, block_id: 'b', action_ts: '1' }],
    }),
  );
}

function submit(opened: any, f: Fields) {
  return postSigned(
    ctx.bot.url,
    interactionBody({
      type: 'view_submission',
      user: USER,
      team: { id: 'T1', domain: 'acme' },
      api_app_id: 'A1',
      token: 't',
      trigger_id: slack.trigger(),
      view: view(opened, f),
    }),
  );
}

/** The n-th views.update of this modal (earlier tests' late updates are for other views). */
const updateOf = (opened: any, n = 0) =>
  slack.waitFor(() => slack.callsTo('views.update').filter((c) => c.args.view_id === opened.id)[n]);
const texts = (blocks: any[]) => blocks.map((b) => b.text?.text ?? b.elements?.[0]?.text ?? '').join('\n');

describe('the /expire modal', () => {
  it('opens at once, before any LaunchDarkly call, even when LaunchDarkly is slow', async () => {
    ld.delayMs = 2_500;
    const started = Date.now();
    const opened = await openModal();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(opened.ms).toBeLessThan(1_000);
    expect(ld.requests).toEqual([]);
    expect(opened.title.text).toBe('Expiring targets');
    expect(opened.blocks.map((b: any) => b.block_id).filter(Boolean)).toEqual([
      B.action,
      B.kind,
      B.project,
      B.environment,
      `${B.resource}_flag`,
      B.targets,
      B.when,
      B.preview,
      B.grant,
    ]);
    expect(JSON.parse(opened.private_metadata)).toEqual({ channel: 'C1' });
  });

  it('tells the person when Slack no longer takes the trigger, instead of showing nothing', async () => {
    const used = slack.trigger();
    const responseUrl = slack.responseUrl();
    for (const calls of [1, 2]) {
      await postSigned(ctx.bot.url, commandBody({ text: '', trigger_id: used, response_url: responseUrl }));
      await slack.waitFor(() => slack.callsTo('views.open').length === calls || undefined);
    }
    const refused = slack.callsTo('views.open').filter((c) => !c.response.ok);
    expect(refused.map((c) => c.response.error)).toEqual(['exchanged_trigger_id']);
    const told = await slack.waitFor(() => slack.responseUrlPosts.find((p) => p.body.text === FORM_TOO_LATE));
    expect(told.body.response_type).toBe('ephemeral');
    expect(ctx.bot.logs.join('')).not.toContain('unhandled error');
  });

  it('suggests flags, segments and environments from LaunchDarkly as people type', async () => {
    const opened = await openModal();
    ld.addFlag(PROJECT, { key: 'checkout-v2', name: 'Checkout, the second' });
    const flags = (await suggest(opened, A.flag, 'check')).json();
    expect(flags.options.map((o: any) => o.value)).toEqual(['new-checkout', 'checkout-v2']);
    expect(flags.options[0].text.text).toBe('New checkout (new-checkout)');
    expect(ld.requests.at(-1)!.query.get('filter')).toBe('query:check');
    const segments = (await suggest(opened, A.segment, 'beta', { kind: 'segment' })).json();
    expect(segments.options.map((o: any) => o.value)).toEqual(['beta-testers']);
    const environments = (await suggest(opened, A.environment, 'stag')).json();
    expect(environments.options).toEqual([
      { text: { type: 'plain_text', text: 'Staging (staging)' }, value: 'staging' },
    ]);
  });

  it('answers a suggestion within Slack’s 3 s even when LaunchDarkly is slower, with what it has', async () => {
    const opened = await openModal();
    ld.delayMs = 4_000;
    const res = await suggest(opened, A.flag, 'slow');
    expect(res.ms).toBeLessThan(3_000);
    expect(res.json()).toEqual({ options: [] });
    ld.delayMs = 0;
  }, 10_000);

  it('choosing a flag fills its variations, preselecting the one the targets are served', async () => {
    const opened = await openModal();
    await act(opened, A.flag, { resource: 'new-checkout', targets: 'eve' });
    const update = await updateOf(opened);
    expect(update.response.ok).toBe(true);
    const variation = update.args.view.blocks.find((b: any) => b.block_id === `${B.variation}_new-checkout`);
    expect(variation.element.options.map((o: any) => o.text.text)).toEqual(['on', 'off']);
    expect(variation.element.initial_option.text.text).toBe('off');
    expect(update.args.hash).toBe(opened.hash);
  });

  it('previews how "when" reads, or why it cannot', async () => {
    const opened = await openModal();
    await act(opened, A.when, { when: 'in 2 weeks' });
    const good = await updateOf(opened);
    const preview = good.args.view.blocks.find((b: any) => b.block_id === B.preview).elements[0].text;
    expect(preview).toMatch(/^:white_check_mark: \w{3} \d+ \w{3} \d{4}, \d\d:\d\d P[SD]T \(in 2 weeks\)$/);

    await act(good.response.view, A.when, { when: '3pm please' });
    const bad = await updateOf(opened, 1);
    expect(bad.args.view.blocks.find((b: any) => b.block_id === B.preview).elements[0].text).toContain(
      ':warning: I understood only',
    );
  });

  it('a stale update loses to a newer one (view hash) without an error', async () => {
    const opened = await openModal();
    await act(opened, A.when, { when: 'tomorrow' });
    await updateOf(opened);
    await act(opened, A.when, { when: 'tomorrow 5pm' }); // the old hash again
    const update = await updateOf(opened, 1);
    expect(update.response).toEqual({ ok: false, error: 'hash_conflict' });
    await new Promise((r) => setTimeout(r, 50));
    expect(ctx.bot.logs.join('\n')).not.toContain('unhandled error');
  });

  it('switching to remove hides "when"', async () => {
    const opened = await openModal();
    await act(opened, A.action, { action: 'remove' });
    const ids = (await updateOf(opened)).args.view.blocks.map((b: any) => b.block_id);
    expect(ids).not.toContain(B.when);
    expect(ids).not.toContain(B.grant);
  });

  it.each([
    [{ targets: 'sandy', when: 'tomorrow' }, `${B.resource}_flag`, MODAL_ERRORS.chooseResource('flag')],
    [{ resource: 'new-checkout', when: 'tomorrow' }, B.targets, 'No targets given.'],
    [{ resource: 'new-checkout', targets: 'sandy', when: 'yesterday' }, B.when, 'already past'],
    [{ resource: 'new-checkout', targets: 'sandy' }, B.when, 'Say when'],
    [
      { resource: 'ghost-flag', targets: 'sandy', when: 'tomorrow' },
      `${B.resource}_flag`,
      'LaunchDarkly has no flag ghost-flag',
    ],
    [
      { resource: 'new-checkout', targets: 'sandy', when: 'tomorrow', project: 'bad key' },
      B.project,
      MODAL_ERRORS.project,
    ],
  ])('shows %j inline on its field', async (fields, block, message) => {
    const opened = await openModal();
    const res = await submit(opened, fields);
    const body = res.json();
    expect(body.response_action).toBe('errors');
    expect(body.errors[block]).toContain(message);
    expect(ld.patches()).toEqual([]);
  });

  it('a submission posts the result where the modal was opened and patches LaunchDarkly as the command would', async () => {
    const opened = await openModal();
    const res = await submit(opened, {
      resource: 'new-checkout',
      targets: 'sandy\norganization:acme, bob',
      when: 'next friday 5pm',
    });
    expect(res.body).toBe('');
    const message = await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'));
    expect(texts(message.blocks!)).toContain('<@U1> scheduled 3 targets on flag *new-checkout*');
    const fromModal = ld.patches().map((p) => ({ path: p.path, instructions: p.body.instructions }));
    expect(ld.patches()[0]!.body.comment).toMatch(
      /^via Slack \(acme\) by @alice \(U1\): \/expire form: add flag new-checkout/,
    );

    // The same through the command, on a fresh LaunchDarkly.
    ld.clear();
    seed(ld);
    slack.reset();
    await postSigned(
      ctx.bot.url,
      commandBody({
        text: 'flag new-checkout sandy,organization:acme,bob next friday 5pm',
        response_url: slack.responseUrl(),
      }),
    );
    await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'));
    const fromCommand = ld.patches().map((p) => ({ path: p.path, instructions: p.body.instructions }));
    const ids = (list: typeof fromModal) =>
      list.map((p) => ({ ...p, instructions: p.instructions.map((i: any) => ({ ...i, variationId: 'v' })) }));
    expect(ids(fromModal)).toEqual(ids(fromCommand));
    expect(await ctx.bot.store.upcoming(Date.now(), { limit: 10, offset: 0 })).toMatchObject({ total: 3 });
  });

  it('removes an expiry through the modal alone, for a segment', async () => {
    ld.setExpiring('segment', PROJECT, 'beta-testers', 'production', {
      contextKind: 'user',
      contextKey: 'sandy',
      targetType: 'included',
      expirationDate: Date.now() + 86_400_000,
    });
    const opened = await openModal();
    await submit(opened, {
      action: 'remove',
      kind: 'segment',
      resource: 'beta-testers',
      targets: 'sandy',
      targetType: 'included',
    });
    const message = await slack.waitFor(() => slack.messages.find((m) => m.channel === 'C1'));
    expect(texts(message.blocks!)).toContain('cancelled the expiry of 1 target on segment *beta-testers*');
    expect(ld.expiringTargets('segment', PROJECT, 'beta-testers', 'production')).toEqual([]);
  });

  it('answers a submission within Slack’s 3 s even when LaunchDarkly is slow', async () => {
    const opened = await openModal();
    ld.delayMs = 2_800;
    // vault is protected whether or not LaunchDarkly answers in time: the form asks to confirm.
    const res = await submit(opened, {
      resource: 'new-checkout',
      targets: 'sandy',
      when: 'tomorrow',
      environment: 'vault',
    });
    ld.delayMs = 0;
    expect(res.ms).toBeLessThan(2_500);
    expect(res.json().response_action).toBe('push');
    expect(ld.patches()).toEqual([]);
  }, 10_000);

  it('refuses tampered private_metadata', async () => {
    const opened = await openModal();
    const res = await submit(
      { ...opened, private_metadata: '{"channel":"<!everyone>"}' },
      { resource: 'new-checkout', targets: 'sandy', when: 'tomorrow' },
    );
    expect(res.json().errors[B.targets]).toBe(MODAL_ERRORS.stale);
    expect(ld.requests).toEqual([]);
  });
});
