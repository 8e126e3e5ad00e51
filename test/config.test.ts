import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../src/config.js';
import { configProblems, VALID_ENV as VALID } from './helpers/config-problems.js';

const problems = configProblems;

describe('loadConfig', () => {
  it('reads the watching variables, and keeps the webhook secret out of logs', () => {
    expect(loadConfig(VALID).watch).toEqual({
      syncIntervalMs: 60_000,
      fullScanIntervalMs: 86_400_000,
      webhookSecret: undefined,
    });
    const config = loadConfig({
      ...VALID,
      WATCH_SYNC_INTERVAL: '30s',
      WATCH_FULL_SCAN_INTERVAL: '12h',
      LD_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
    });
    expect(config.watch).toEqual({
      syncIntervalMs: 30_000,
      fullScanIntervalMs: 43_200_000,
      webhookSecret: 'whsec-0123456789abcdef',
    });
    expect(secretsOf(config)).toContain('whsec-0123456789abcdef');
    expect(problems({ ...VALID, WATCH_SYNC_INTERVAL: 'often', LD_WEBHOOK_SECRET: 'short' })).toEqual([
      'WATCH_SYNC_INTERVAL must be a duration such as 1m (units: s, m, h, d, w)',
      'LD_WEBHOOK_SECRET must be at least 16 characters (LaunchDarkly generates a long one when asked)',
    ]);
  });

  it('applies the documented defaults', () => {
    const config = loadConfig(VALID);
    expect(config.slack).toEqual({
      mode: 'http',
      botToken: VALID.SLACK_BOT_TOKEN,
      signingSecret: VALID.SLACK_SIGNING_SECRET,
      appToken: undefined,
      apiUrl: 'https://slack.com/api/',
      port: 3000,
    });
    expect(config.launchDarkly.baseUri).toBe('https://app.launchdarkly.com');
    expect(config.databaseUrl).toBe('sqlite:./data/ld-expiry-bot.sqlite');
    expect(config.defaultTimeZone).toBe('UTC');
    expect(config.reminders).toEqual({ leadTimesMs: [86_400_000, 3_600_000], checkIntervalMs: 60_000 });
    expect(config.logLevel).toBe('info');
    expect(config.safety).toMatchObject({ policyConfigured: false, protectedEnvironments: ['production'] });
    expect(config.safety.policy.map((r) => r.text)).toEqual(['*/*=*']);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(config.work).toEqual({ leaseMs: 30_000, maxOpen: 1_000, concurrency: 256 });
  });

  it('reads how many changes run at once, a whole number from 1 to 1000', () => {
    expect(loadConfig({ ...VALID, WORK_CONCURRENCY: '16' }).work.concurrency).toBe(16);
    for (const bad of ['0', '1001', '2.5', 'many']) {
      expect(problems({ ...VALID, WORK_CONCURRENCY: bad })).toEqual([
        expect.stringMatching(/^WORK_CONCURRENCY .*must be/),
      ]);
    }
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...VALID,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: 'xapp-1-abc',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      PORT: '8080',
      LD_BASE_URI: 'https://app.eu.launchdarkly.com/',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      DEFAULT_TIME_ZONE: 'Europe/Berlin',
      REMINDER_LEAD_TIMES: '1h, 2d,30m',
      REMINDER_CHECK_INTERVAL: '30s',
      LOG_LEVEL: 'debug',
    });
    expect(config.slack.mode).toBe('socket');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.slack.port).toBe(8080);
    expect(config.launchDarkly.baseUri).toBe('https://app.eu.launchdarkly.com');
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.defaultTimeZone).toBe('Europe/Berlin');
    expect(config.reminders.leadTimesMs).toEqual([172_800_000, 3_600_000, 1_800_000]);
    expect(config.reminders.checkIntervalMs).toBe(30_000);
  });

  it('lists every missing variable by name in one error', () => {
    expect(problems({})).toEqual([
      'SLACK_BOT_TOKEN is required',
      'SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN to use Socket Mode)',
      'LD_ACCESS_TOKEN is required',
      'LD_PROJECT is required',
      'LD_ENVIRONMENT is required',
    ]);
  });

  it('treats an empty variable as missing', () => {
    expect(problems({ ...VALID, LD_PROJECT: '  ' })).toEqual(['LD_PROJECT is required']);
  });

  it('names each malformed variable without ever quoting a secret', () => {
    const env = {
      ...VALID,
      SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
      SLACK_APP_TOKEN: 'xoxb-wrong-kind-secret',
      SLACK_API_URL: 'not a url',
      PORT: '70000',
      LD_ACCESS_TOKEN: 'api secret with spaces',
      LD_BASE_URI: 'ftp://app.launchdarkly.com',
      LD_PROJECT: 'bad key!',
      DATABASE_URL: 'mysql://localhost/db',
      DEFAULT_TIME_ZONE: 'Mars/Olympus_Mons',
      REMINDER_LEAD_TIMES: '24h,soon',
      REMINDER_CHECK_INTERVAL: '0m',
      LOG_LEVEL: 'verbose',
      CHANGE_POLICY: 'production=everyone',
      PROTECTED_ENVIRONMENTS: 'prod, bad key',
    };
    const list = problems(env);
    expect(list.map((p) => p.split(' ')[0])).toEqual([
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
      'PORT',
      'LD_ACCESS_TOKEN',
      'LD_BASE_URI',
      'LD_PROJECT',
      'DATABASE_URL',
      'DEFAULT_TIME_ZONE',
      'REMINDER_LEAD_TIMES',
      'REMINDER_CHECK_INTERVAL',
      'LOG_LEVEL',
      'CHANGE_POLICY',
      'PROTECTED_ENVIRONMENTS',
    ]);
    const message = list.join('\n');
    for (const secret of ['xoxp-user-token-secret', 'xoxb-wrong-kind-secret', 'api secret with spaces']) {
      expect(message).not.toContain(secret);
    }
  });

  it('refuses LD_BASE_URI and SLACK_API_URL on plain http except to this machine: the tokens and the OAuth client secret go there', () => {
    const https = 'must be https (plain http only for localhost, 127.0.0.1 or [::1])';
    for (const uri of [
      'http://app.launchdarkly.com',
      'http://ld-proxy.internal:8080',
      'http://10.0.0.5',
      'http://localhost.evil.example',
      'http://localhost@evil.example',
      'http://127.0.0.1.nip.io',
    ]) {
      expect(problems({ ...VALID, LD_BASE_URI: uri })).toEqual([`LD_BASE_URI ${https}`]);
    }
    for (const uri of [
      'http://localhost:8080',
      'http://127.0.0.1:9999/',
      'http://[::1]:7000',
      'HTTP://LOCALHOST',
    ]) {
      expect(loadConfig({ ...VALID, LD_BASE_URI: uri }).launchDarkly.baseUri).toBe(uri.replace(/\/$/, ''));
    }
    // The bot token goes to SLACK_API_URL: the same rule.
    expect(problems({ ...VALID, SLACK_API_URL: 'http://slack-proxy.internal/api/' })).toEqual([
      `SLACK_API_URL ${https}`,
    ]);
    expect(loadConfig({ ...VALID, SLACK_API_URL: 'http://127.0.0.1:9000/api/' }).slack.apiUrl).toBe(
      'http://127.0.0.1:9000/api/',
    );
    // Not a URL at all: named once, as such.
    expect(problems({ ...VALID, LD_BASE_URI: 'http://' })).toEqual([
      'LD_BASE_URI must be an http(s) URL (e.g. https://app.launchdarkly.com)',
    ]);
  });

  it('reads who approves which environments, how many are needed and how long a request waits', () => {
    expect(loadConfig(VALID).approvals).toEqual({ approvers: undefined, needed: 1, timeoutMs: 86_400_000 });
    const config = loadConfig({
      ...VALID,
      APPROVERS: '*/production=S0123RELEASE,U0456',
      APPROVALS_NEEDED: '2',
      APPROVAL_TIMEOUT: '4h',
    });
    expect(config.approvals.approvers?.map((r) => r.text)).toEqual(['*/production=S0123RELEASE,U0456']);
    expect(config.approvals.needed).toBe(2);
    expect(config.approvals.timeoutMs).toBe(4 * 3_600_000);
    expect(
      problems({ ...VALID, APPROVERS: 'production', APPROVALS_NEEDED: '6', APPROVAL_TIMEOUT: 'soon' }),
    ).toEqual([
      expect.stringMatching(/^APPROVERS "production" is not project\/environment=who/),
      'APPROVALS_NEEDED must be a whole number from 1 to 5',
      expect.stringMatching(/^APPROVAL_TIMEOUT must be a duration/),
    ]);
    expect(problems({ ...VALID, APPROVERS: '*/production=U2', APPROVALS_NEEDED: '2' })).toEqual([
      'APPROVERS rule "*/production=U2" names 1 approver(s), fewer than APPROVALS_NEEDED (2): its requests could never be approved',
    ]);
  });

  it('knows which values are secrets', () => {
    expect(secretsOf(loadConfig(VALID)).sort()).toEqual(
      [VALID.SLACK_BOT_TOKEN, VALID.SLACK_SIGNING_SECRET, VALID.LD_ACCESS_TOKEN].sort(),
    );
  });
});
