import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMAND } from '../src/slack/ids.js';

const vendored = (path: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/slack-manifest-schema/${path}`, import.meta.url), 'utf8'));

/** Slack's published schema, vendored, with its versions under the URLs it refers to them by. */
function slackSchemaValidator() {
  // strict off: Slack's schema uses keywords and formats Ajv's strict mode does not know.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  for (const version of ['1.0.0', '2.0.0']) {
    ajv.addSchema(
      vendored(`schemas/manifest.schema.${version}.json`),
      `https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.${version}.json`,
    );
  }
  return ajv.compile(vendored('manifest.schema.json'));
}

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8'));

/** The parts of Slack's app manifest schema this app uses, with Slack's documented limits. */
const https = { type: 'string', pattern: '^https://' };
const schema = {
  type: 'object',
  required: ['display_information', 'features', 'oauth_config', 'settings'],
  additionalProperties: false,
  properties: {
    display_information: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 35 },
        description: { type: 'string', maxLength: 140 },
        long_description: { type: 'string', minLength: 175, maxLength: 4000 },
        background_color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
      },
    },
    features: {
      type: 'object',
      additionalProperties: false,
      properties: {
        app_home: {
          type: 'object',
          additionalProperties: false,
          properties: {
            home_tab_enabled: { type: 'boolean' },
            messages_tab_enabled: { type: 'boolean' },
            messages_tab_read_only_enabled: { type: 'boolean' },
          },
        },
        bot_user: {
          type: 'object',
          required: ['display_name'],
          additionalProperties: false,
          properties: {
            display_name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$', maxLength: 80 },
            always_online: { type: 'boolean' },
          },
        },
        slash_commands: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'object',
            required: ['command', 'description'],
            additionalProperties: false,
            properties: {
              command: { type: 'string', pattern: '^/[a-z0-9_-]+$', maxLength: 32 },
              url: https,
              description: { type: 'string', minLength: 1, maxLength: 2000 },
              usage_hint: { type: 'string', maxLength: 1000 },
              should_escape: { type: 'boolean' },
            },
          },
        },
      },
    },
    oauth_config: {
      type: 'object',
      additionalProperties: false,
      properties: {
        scopes: {
          type: 'object',
          additionalProperties: false,
          properties: { bot: { type: 'array', items: { type: 'string' }, maxItems: 255, uniqueItems: true } },
        },
      },
    },
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        event_subscriptions: {
          type: 'object',
          additionalProperties: false,
          properties: {
            request_url: https,
            bot_events: { type: 'array', items: { type: 'string', maxLength: 50 }, uniqueItems: true },
          },
        },
        interactivity: {
          type: 'object',
          required: ['is_enabled'],
          additionalProperties: false,
          properties: {
            is_enabled: { type: 'boolean' },
            request_url: https,
            message_menu_options_url: https,
          },
        },
        org_deploy_enabled: { type: 'boolean' },
        socket_mode_enabled: { type: 'boolean' },
        token_rotation_enabled: { type: 'boolean' },
      },
    },
  },
};

describe('manifest.yml', () => {
  it("is valid for the parts of Slack's manifest schema it uses", () => {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
  });

  it("validates against Slack's published app-manifest schema (vendored)", () => {
    const validate = slackSchemaValidator();
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
  });

  it("Slack's schema is really applied: a manifest it forbids fails", () => {
    const validate = slackSchemaValidator();
    expect(validate({ ...manifest, features: { ...manifest.features, app_home: { home_tab: true } } })).toBe(
      false,
    );
    expect(validate({ ...manifest, display_information: { name: '' } })).toBe(false);
  });

  it('has the Home tab and the app_home_opened event, and a read-only Messages tab for DMs', () => {
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/^https:\/\/.*\/slack\/events$/);
  });

  it('declares the command, the scopes, and interactivity with an options-load URL', () => {
    expect(manifest.features.slash_commands.map((c: any) => c.command)).toEqual([COMMAND]);
    expect(manifest.oauth_config.scopes.bot).toEqual([
      'commands',
      'chat:write',
      'chat:write.public',
      'users:read',
      // users.info's profile email: a link answered by another person's LaunchDarkly member is refused.
      'users:read.email',
      'usergroups:read',
      // users.conversations for the Home tab: the person's public and private channels.
      'channels:read',
      'groups:read',
      // conversations.history: a resumed change finds the result it posted before a crash.
      'channels:history',
      'groups:history',
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.message_menu_options_url).toMatch(/\/slack\/events$/);
  });
});
