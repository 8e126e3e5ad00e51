import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMAND } from '../src/slack/ids.js';

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

  it('declares the command, the scopes, and interactivity with an options-load URL', () => {
    expect(manifest.features.slash_commands.map((c: any) => c.command)).toEqual([COMMAND]);
    expect(manifest.oauth_config.scopes.bot).toEqual([
      'commands',
      'chat:write',
      'chat:write.public',
      'users:read',
      'usergroups:read',
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.message_menu_options_url).toMatch(/\/slack\/events$/);
  });
});
