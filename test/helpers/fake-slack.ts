import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hold } from './hold.js';
import { listen, readBody, sendJson } from './http-server.js';
import { watchForLeaks } from './leak-registry.js';
import { blockKitProblems } from './slack-limits.js';

export const FAKE_BOT_TOKEN = 'xoxb-fake-bot-token-0123456789';
/** The one app-level token apps.connections.open accepts; any other xapp- token is invalid_auth. */
export const FAKE_APP_TOKEN = 'xapp-1-fake-app-token';

export interface SlackCall {
  method: string;
  args: Record<string, any>;
  /** What the fake answered. */
  response: Record<string, any>;
  /** performance.now() when the call arrived. */
  receivedAt: number;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: any[];
  user?: string;
  ephemeral: boolean;
  /** Message metadata (`event_type`, `event_payload`), as chat.postMessage / chat.update set it. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** A call as a hold sees it. */
export interface HeldCall {
  method: string;
  args: Record<string, any>;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, any>;
  /** performance.now() when it arrived. */
  receivedAt: number;
}

/** A fault for the next call(s) to one method: no answer at all, or a 429 with Retry-After. */
export interface SlackFault {
  method: string;
  /** How many calls it hits; 1 by default. */
  times?: number;
  hang?: boolean;
  retryAfterSeconds?: number;
}

interface OpenView {
  id: string;
  hash: string;
  view: any;
}

/**
 * A Slack Web API stand-in: a real HTTP server on 127.0.0.1 that records every call, answers like
 * Slack (`{ok:false,error}` with HTTP 200), and enforces Slack's limits: Block Kit sizes, trigger
 * ids that live 3 s and work once, view hashes, channels the bot is not in.
 */
export class FakeSlack {
  url = '';
  readonly calls: SlackCall[] = [];
  readonly messages: PostedMessage[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  /** Everything rejected for breaking Slack's limits: a test asserts this stays empty. */
  readonly violations: string[] = [];
  /** user id → time zone (null: none set). */
  readonly users = new Map<string, { tz: string | null; name: string; email?: string }>();
  /** user group id → member user ids. */
  readonly groups = new Map<string, string[]>();
  /**
   * user id → the channels they are in that the bot is in too: what users.conversations answers
   * a bot token for that user.
   */
  readonly memberships = new Map<string, string[]>();
  /** The most channels users.conversations returns in one page, whatever `limit` asks (Slack may return fewer). */
  conversationsPageSize = 200;
  /** Channels where chat.postMessage answers not_in_channel. */
  readonly notInChannel = new Set<string>();
  readonly views = new Map<string, OpenView>();
  /** user id → the Home tab view last published for them. */
  readonly homes = new Map<string, any>();
  /** Milliseconds before each answer. */
  delayMs = 0;
  /** Errors queued by `failNext`, answered in place of the method's own answer. */
  private faults: Array<{
    method: string;
    error: string;
    times: number;
    match?: (args: Record<string, any>) => boolean;
  }> = [];
  /** Calls that got a fault instead of an answer. */
  readonly faulted: Array<{ method: string; args: Record<string, any>; fault: 'hang' | 429 }> = [];
  private transportFaults: SlackFault[] = [];
  /**
   * Slack unusable for the Web API: `drop` closes every connection unanswered (Slack unreachable);
   * an error code (`token_revoked`, …) is every method's answer (the token no longer accepted).
   */
  outage: 'drop' | string | undefined;
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private holds: Array<Hold<HeldCall>> = [];
  private answerHolds: Array<Hold<HeldCall>> = [];
  private tsCounter = 1_700_000_000;
  private closeServer: (() => Promise<void>) | undefined;

  async start(): Promise<this> {
    watchForLeaks('what the bot sent to Slack', () => JSON.stringify([this.calls, this.responseUrlPosts]));
    const { url, close } = await listen((req, res) => this.handle(req, res));
    this.url = url;
    this.closeServer = close;
    return this;
  }

  stop(): Promise<void> {
    return this.closeServer?.() ?? Promise.resolve();
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url for one slash command or interaction. */
  responseUrl(): string {
    return `${this.url}/response/${randomUUID()}`;
  }

  /** A trigger_id as Slack issues it with an interaction: valid for 3 s, once. */
  trigger(): string {
    const id = `${Date.now()}.${randomUUID()}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  /**
   * Holds the next `times` matching calls (method and arguments; `response_url` for posts to a
   * response_url) until the test releases them (answered) or drops them (never received).
   */
  hold(match: (call: HeldCall) => boolean, times = 1): Hold<HeldCall> {
    const hold = new Hold(match, times);
    this.holds.push(hold);
    return hold;
  }

  /**
   * Carries out the next `times` matching Web API calls (a message is posted) but holds Slack's
   * answer until the test releases it or drops it (the caller never hears back).
   */
  holdAnswer(match: (call: HeldCall) => boolean, times = 1): Hold<HeldCall> {
    const hold = new Hold(match, times);
    this.answerHolds.push(hold);
    return hold;
  }

  /** Queues a fault (no answer, or a 429) for the next call(s) to a method. */
  fail(fault: SlackFault): this {
    this.transportFaults.push({ times: 1, ...fault });
    return this;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * The next `times` calls to `method` fail with `error`, as Slack answers it: `{ok:false,error}`
   * with HTTP 200, or for `ratelimited` HTTP 429 with `Retry-After: 0` (the Web API client waits
   * and retries those itself, so a rate limit it gives up on needs its retries + 1 times).
   * `match` narrows it to calls with certain arguments (say, the final chat.update of a message).
   */
  failNext(method: string, error: string, times = 1, match?: (args: Record<string, any>) => boolean): this {
    this.faults.push({ method, error, times, match });
    return this;
  }

  reset(): void {
    this.faults = [];
    this.calls.length = 0;
    this.messages.length = 0;
    this.responseUrlPosts.length = 0;
    this.violations.length = 0;
    this.notInChannel.clear();
    this.memberships.clear();
    this.conversationsPageSize = 200;
    this.views.clear();
    this.homes.clear();
    this.holds = [];
    this.answerHolds = [];
    this.delayMs = 0;
    this.transportFaults = [];
    this.faulted.length = 0;
    this.outage = undefined;
  }

  /** Resolves when a matching message (channel, thread or ephemeral) has been posted or updated. */
  async waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for Slack');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const responseUrl = url.pathname.startsWith('/response/');
    const call: HeldCall = responseUrl
      ? { method: 'response_url', args: JSON.parse(raw) }
      : {
          method: url.pathname.replace(/^\/api\//, ''),
          args: parseArgs(raw, String(req.headers['content-type'] ?? '')),
        };
    const hold = this.holds.find((h) => h.takes(call));
    if (hold && (await hold.wait(call)) === 'drop') {
      req.socket.destroy();
      return;
    }
    if (responseUrl) {
      const body = JSON.parse(raw);
      this.responseUrlPosts.push({ id: url.pathname.slice('/response/'.length), body, receivedAt });
      this.check('response_url', body);
      return sendJson(res, 200, { ok: true });
    }
    if (this.outage === 'drop') {
      req.socket.destroy();
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : args.token;
    // The credential is how Slack authenticates the call, not something the bot said.
    delete args.token;
    const fault = this.faults.find((f) => f.method === method && (!f.match || f.match(args)));
    if (fault) {
      if (--fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const response = { ok: false, error: fault.error };
      this.calls.push({ method, args, response, receivedAt });
      return fault.error === 'ratelimited'
        ? sendJson(res, 429, response, { 'Retry-After': '0' })
        : sendJson(res, 200, response);
    }
    const stuck = this.transportFaults.find((f) => f.method === method);
    if (stuck) {
      stuck.times = (stuck.times ?? 1) - 1;
      if (stuck.times <= 0) this.transportFaults.splice(this.transportFaults.indexOf(stuck), 1);
      this.faulted.push({ method, args, fault: stuck.hang ? 'hang' : 429 });
      if (stuck.hang) return;
      return sendJson(
        res,
        429,
        { ok: false, error: 'ratelimited' },
        { 'Retry-After': String(stuck.retryAfterSeconds ?? 1) },
      );
    }
    const response = this.outage
      ? { ok: false, error: this.outage }
      : method === 'apps.connections.open'
        ? this.openConnection(token)
        : token === FAKE_BOT_TOKEN
          ? this.answer(method, args)
          : { ok: false, error: 'invalid_auth' };
    this.calls.push({ method, args, response, receivedAt });
    const answerHold = this.answerHolds.find((h) => h.takes(call));
    if (answerHold && (await answerHold.wait(call)) === 'drop') {
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, response);
  }

  private answer(method: string, args: Record<string, any>): Record<string, any> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://acme.slack.com/',
          team: 'Acme',
          user: 'expirybot',
          team_id: 'T1',
          user_id: 'UBOT',
          bot_id: 'BBOT',
        };
      case 'usergroups.users.list': {
        const users = this.groups.get(args.usergroup);
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'users.info': {
        const user = this.users.get(args.user);
        if (!user) return { ok: false, error: 'user_not_found' };
        const profile = user.email ? { profile: { email: user.email } } : {};
        return {
          ok: true,
          user: { id: args.user, name: user.name, tz: user.tz, real_name: user.name, ...profile },
        };
      }
      case 'users.conversations':
        return this.userConversations(args);
      case 'conversations.history':
        return this.history(args);
      case 'conversations.replies':
        return this.replies(args);
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        const problems = this.check(method, args);
        if (problems) return problems;
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        if (this.notInChannel.has(args.channel)) return { ok: false, error: 'not_in_channel' };
        if (args.channel.startsWith('D')) return { ok: false, error: 'channel_not_found' };
        const ts = `${this.tsCounter++}.000100`;
        this.messages.push({
          channel: args.channel,
          ts,
          thread_ts: args.thread_ts,
          text: args.text,
          blocks: args.blocks,
          user: args.user,
          ephemeral: method === 'chat.postEphemeral',
          metadata: args.metadata,
        });
        return method === 'chat.postMessage'
          ? { ok: true, channel: args.channel, ts }
          : { ok: true, message_ts: ts };
      }
      case 'chat.update': {
        const problems = this.check(method, args);
        if (problems) return problems;
        const message = this.messages.find(
          (m) => m.channel === args.channel && m.ts === args.ts && !m.ephemeral,
        );
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = args.text;
        message.blocks = args.blocks;
        if (args.metadata) message.metadata = args.metadata;
        return { ok: true, channel: args.channel, ts: args.ts };
      }
      case 'views.open':
      case 'views.push': {
        const trigger = this.triggers.get(args.trigger_id);
        if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
        if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
        if (Date.now() - trigger.issuedAt > 3_000) return { ok: false, error: 'expired_trigger_id' };
        trigger.used = true;
        const problems = this.check(method, args);
        if (problems) return problems;
        const opened = { id: `V${randomUUID().slice(0, 8)}`, hash: randomUUID(), view: args.view };
        this.views.set(opened.id, opened);
        return { ok: true, view: { ...args.view, id: opened.id, hash: opened.hash } };
      }
      case 'views.publish': {
        if (!args.user_id) return { ok: false, error: 'invalid_arguments' };
        if (args.view?.type !== 'home') return { ok: false, error: 'invalid_arguments' };
        const problems = this.check(method, args);
        if (problems) return problems;
        this.homes.set(args.user_id, args.view);
        return { ok: true, view: { ...args.view, id: `VH${args.user_id}`, hash: randomUUID() } };
      }
      case 'views.update': {
        const opened = this.views.get(args.view_id);
        if (!opened) return { ok: false, error: 'not_found' };
        if (args.hash && args.hash !== opened.hash) return { ok: false, error: 'hash_conflict' };
        const problems = this.check(method, args);
        if (problems) return problems;
        opened.view = args.view;
        opened.hash = randomUUID();
        return { ok: true, view: { ...args.view, id: opened.id, hash: opened.hash } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * users.conversations as Slack documents it: `types` a comma-separated subset of the four kinds
   * (default public_channel), `limit` 1–999 (default 100), `cursor` one this fake issued, the
   * rest in pages with `response_metadata.next_cursor` ('' on the last).
   */
  private userConversations(args: Record<string, any>): Record<string, any> {
    const KINDS = ['public_channel', 'private_channel', 'mpim', 'im'];
    const types = String(args.types ?? 'public_channel').split(',');
    if (!types.every((t) => KINDS.includes(t))) return { ok: false, error: 'invalid_types' };
    const limit = args.limit === undefined ? 100 : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 999) return { ok: false, error: 'invalid_limit' };
    if (args.user !== undefined && !this.users.has(args.user)) return { ok: false, error: 'user_not_found' };
    let offset = 0;
    if (args.cursor) {
      const match = /^dXNlcjo(\d+)$/.exec(String(args.cursor));
      if (!match) return { ok: false, error: 'invalid_cursor' };
      offset = Number(match[1]);
    }
    const all = (this.memberships.get(args.user) ?? []).filter((id) =>
      types.includes(id.startsWith('G') ? 'private_channel' : 'public_channel'),
    );
    const page = all.slice(offset, offset + Math.min(limit, this.conversationsPageSize));
    const next = offset + page.length;
    return {
      ok: true,
      channels: page.map((id) => ({
        id,
        name: id.toLowerCase(),
        is_channel: !id.startsWith('G'),
        is_private: id.startsWith('G'),
        is_archived: false,
      })),
      response_metadata: { next_cursor: next < all.length ? `dXNlcjo${next}` : '' },
    };
  }

  /**
   * conversations.replies as Slack documents it: the message at `ts` and its thread, oldest first
   * (one page: tests' threads are short); `thread_not_found` when there is no such message.
   */
  private replies(args: Record<string, any>): Record<string, any> {
    if (!args.channel) return { ok: false, error: 'channel_not_found' };
    if (this.notInChannel.has(args.channel)) return { ok: false, error: 'not_in_channel' };
    const inChannel = this.messages.filter((m) => m.channel === args.channel && !m.ephemeral);
    if (!inChannel.some((m) => m.ts === args.ts)) return { ok: false, error: 'thread_not_found' };
    const thread = inChannel.filter((m) => m.ts === args.ts || m.thread_ts === args.ts);
    return {
      ok: true,
      messages: thread.map((m) => ({
        type: 'message',
        ts: m.ts,
        ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
      })),
      has_more: false,
    };
  }

  /**
   * conversations.history as Slack documents it: a channel's messages (not thread replies), newest
   * first, within `latest` / `oldest`, `limit` 1–999 (default 100) a page with `has_more` and `response_metadata.next_cursor`;
   * metadata only with `include_all_metadata`.
   */
  private history(args: Record<string, any>): Record<string, any> {
    if (!args.channel) return { ok: false, error: 'channel_not_found' };
    if (this.notInChannel.has(args.channel)) return { ok: false, error: 'not_in_channel' };
    const limit = args.limit === undefined ? 100 : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 999) return { ok: false, error: 'invalid_limit' };
    let offset = 0;
    if (args.cursor) {
      const match = /^aGlzdG9yeTo(\d+)$/.exec(String(args.cursor));
      if (!match) return { ok: false, error: 'invalid_cursor' };
      offset = Number(match[1]);
    }
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    // `latest` / `oldest` bound the window (exclusive unless `inclusive`): one message by its ts.
    const inclusive = args.inclusive === true || args.inclusive === 'true';
    const within = (ts: string) =>
      (args.latest === undefined ||
        (inclusive ? Number(ts) <= Number(args.latest) : Number(ts) < Number(args.latest))) &&
      (args.oldest === undefined ||
        (inclusive ? Number(ts) >= Number(args.oldest) : Number(ts) > Number(args.oldest)));
    const all = this.messages
      .filter(
        (m) =>
          m.channel === args.channel &&
          !m.ephemeral &&
          (!m.thread_ts || m.thread_ts === m.ts) &&
          within(m.ts),
      )
      .reverse();
    const page = all.slice(offset, offset + limit);
    const next = offset + page.length;
    return {
      ok: true,
      messages: page.map((m) => ({
        type: 'message',
        ts: m.ts,
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
        ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
      })),
      has_more: next < all.length,
      response_metadata: { next_cursor: next < all.length ? `aGlzdG9yeTo${next}` : '' },
    };
  }

  /**
   * Socket Mode needs a WebSocket server this fake does not run: it records the call and refuses
   * (as Slack does a token it does not know, or, for the known one, as a temporary failure).
   */
  private openConnection(token: string | undefined): Record<string, any> {
    if (!token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    if (token !== FAKE_APP_TOKEN) return { ok: false, error: 'invalid_auth' };
    return { ok: false, error: 'socket_mode_unavailable_in_fake' };
  }

  /** Slack's answer when the payload breaks a limit; undefined when it is fine. */
  private check(method: string, args: Record<string, any>): Record<string, any> | undefined {
    const problems = blockKitProblems(method, args);
    if (problems.length === 0) return undefined;
    this.violations.push(...problems.map((p) => `${method}: ${p}`));
    return {
      ok: false,
      error: method.startsWith('views.') ? 'invalid_arguments' : 'invalid_blocks',
      problems,
    };
  }
}

function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
