import { z } from 'zod';
import { parseTargets, RESOURCE_KEY, type Target, visible } from '../../domain/targets.js';
import {
  COMMAND_VERBS,
  RESOURCE_KINDS,
  type ResourceKind,
  type ResourceRef,
  VERBS,
  type Verb,
} from '../../domain/vocabulary.js';
import { parseWatchCommand, type WatchCommand } from './watch.js';

export interface CommandOptions {
  project?: string;
  env?: string;
  variation?: string;
  excluded: boolean;
  grant: boolean;
  /** Why, in the person's words (`--reason "…"`), for approvers. */
  reason?: string;
}

export type Command =
  | { verb: 'help' }
  | { verb: 'modal' }
  | { verb: 'list-known' }
  | { verb: 'approvals' }
  | { verb: 'link' | 'unlink' | 'whoami' }
  | { verb: 'list'; resource: ResourceKind; key: string; options: CommandOptions }
  | WatchCommand
  | {
      verb: Verb;
      resource: ResourceKind;
      key: string;
      targets: Target[];
      /** The words after the targets: a time or a duration, as the verb takes. */
      when: string;
      options: CommandOptions;
    };

/** Examples of what follows the targets, by what a verb takes. */
const TIMING_HINT = {
  when: 'When should it expire? Add a time, e.g. "next friday 5pm" or "in 2 weeks".',
  duration: 'How much later? Add a duration, e.g. "2 days", "1 week" or "+36h".',
} as const;

export type CommandParse = { ok: true; command: Command } | { ok: false; problem: string };

/** The most text a command may carry; Slack allows more, nobody needs it. */
export const MAX_COMMAND_TEXT = 20_000;

const key = (what: string) =>
  z.string().regex(RESOURCE_KEY, `"%s" is not a valid ${what} key (letters, digits, ".", "-", "_")`);

/** Built once: zod schemas are cheap to run and costly to build. */
const KEYS = { flag: key('flag'), segment: key('segment') } as const;

const optionsSchema = z.object({
  project: key('project').optional(),
  env: key('environment').optional(),
  variation: z.string().min(1).max(200).optional(),
  excluded: z.boolean(),
  grant: z.boolean(),
});

const VALUE_OPTIONS = {
  '--env': 'env',
  '--environment': 'env',
  '--project': 'project',
  '--variation': 'variation',
} as const;
const FLAG_OPTIONS = { '--excluded': 'excluded', '--grant': 'grant' } as const;

/**
 * Reads `/expire` text: `[<verb>|list] flag|segment <key> <targets> <when> [options]`, the verbs
 * and what follows their targets as the vocabulary declares them, options anywhere after the key.
 * Every problem comes back as a sentence; nothing throws.
 */
export function parseCommand(raw: string): CommandParse {
  if (raw.trim().length > MAX_COMMAND_TEXT)
    return fail(`That command is too long (${raw.trim().length} characters).`);
  const { text, reason } = takeReason(raw.trim());
  if (reason !== undefined && reason.length > MAX_REASON)
    return fail(`That reason is too long (${reason.length} characters; at most ${MAX_REASON}).`);
  if (text === '') return ok({ verb: 'modal' });
  const words = text.split(/\s+/);
  const first = words[0]!.toLowerCase();
  if (first === 'help' && words.length === 1) return ok({ verb: 'help' });
  if (first === 'approvals' && words.length === 1) return ok({ verb: 'approvals' });
  if ((first === 'link' || first === 'unlink' || first === 'whoami') && words.length === 1)
    return ok({ verb: first });
  if (first === 'watch' || first === 'unwatch' || first === 'watching') {
    return parseWatchCommand(first, words.slice(1));
  }

  let verb: Verb | 'list' = 'add';
  if (first === 'list' || (COMMAND_VERBS as string[]).includes(first)) {
    verb = first as Verb | 'list';
    words.shift();
  } else if (!(RESOURCE_KINDS as readonly string[]).includes(first)) {
    return fail(
      `I don't know "${words[0]}". Start with ${[...COMMAND_VERBS, 'list', ...RESOURCE_KINDS].join(', ')}.`,
    );
  }
  if (verb === 'list' && words.length === 0) return ok({ verb: 'list-known' });

  const resource = words.shift()?.toLowerCase();
  if (resource !== 'flag' && resource !== 'segment') {
    return fail(`After "${verb}" say "flag" or "segment"${resource ? `, not "${resource}"` : ''}.`);
  }
  const keyWord = words.shift();
  if (!keyWord || keyWord.startsWith('--'))
    return fail(`Which ${resource}? Give its key after "${resource}".`);

  const options: Record<string, string | boolean> = { excluded: false, grant: false };
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--')) {
      rest.push(word);
      continue;
    }
    const [name, inline] = word.toLowerCase().split(/=(.*)/s, 2) as [string, string | undefined];
    if (name in VALUE_OPTIONS) {
      const value = inline !== undefined ? word.slice(word.indexOf('=') + 1) : words[++i];
      if (!value || value.startsWith('--')) return fail(`${name} needs a value, e.g. ${name} production.`);
      options[VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS]] = value;
    } else if (name in FLAG_OPTIONS && inline === undefined) {
      options[FLAG_OPTIONS[name as keyof typeof FLAG_OPTIONS]] = true;
    } else {
      return fail(
        `I don't know the option ${word}. Options: --env, --project, --variation, --excluded, --grant, --reason.`,
      );
    }
  }

  const parsedKey = KEYS[resource].safeParse(keyWord);
  if (!parsedKey.success) return fail(message(parsedKey.error, keyWord));
  const parsedOptions = optionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    const issue = parsedOptions.error.issues[0]!;
    return fail(message(parsedOptions.error, String(options[String(issue.path[0])])));
  }
  const opts = parsedOptions.data;
  if (resource === 'flag' && opts.excluded)
    return fail('--excluded is for segments; flags serve a variation instead.');
  if (resource === 'segment' && opts.variation)
    return fail('--variation is for flags; segments take --excluded.');
  if (opts.grant && (verb === 'list' || VERBS[verb].op !== 'add'))
    return fail('--grant goes with add: it targets first, then schedules.');

  if (verb === 'list') {
    if (rest.length > 0) return fail(`list takes only the ${resource} key, not "${rest.join(' ')}".`);
    return ok({ verb, resource, key: keyWord, options: opts });
  }
  const targetsWord = rest.shift();
  if (!targetsWord) return fail(`Which targets? Give keys separated by commas after the ${resource} key.`);
  const targets = parseTargets(targetsWord);
  if (!targets.ok) return fail(targets.problem);
  const when = rest.join(' ');
  const takes = VERBS[verb].takes;
  if (takes === 'nothing' && when) return fail(`${verb} takes no time; "${visible(when)}" is left over.`);
  if (takes !== 'nothing' && !when) return fail(TIMING_HINT[takes]);
  const withReason = reason ? { ...opts, reason } : opts;
  return ok({ verb, resource, key: keyWord, targets: targets.targets, when, options: withReason });
}

/** The most a reason may say. */
export const MAX_REASON = 500;

/**
 * `--reason "…"` (straight or curly quotes, as Slack may send them) or `--reason word`, taken out of
 * the command before it is read word by word: a reason is the one value that may hold spaces.
 */
const REASON = /(^|\s)--reason(?:=|\s+)(?:"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+))/i;

function takeReason(text: string): { text: string; reason?: string } {
  const match = REASON.exec(text);
  if (!match) return { text };
  const reason = (match[2] ?? match[3] ?? match[4] ?? match[5] ?? '').trim();
  const rest = `${text.slice(0, match.index)}${match[1]}${text.slice(match.index + match[0].length)}`.trim();
  return reason ? { text: rest, reason } : { text: rest };
}

function message(error: z.ZodError, value: string): string {
  return error.issues[0]!.message.replace('%s', visible(value));
}

function ok(command: Command): CommandParse {
  return { ok: true, command };
}

function fail(problem: string): CommandParse {
  return { ok: false, problem };
}

/** The flag or segment a command is about, the configured defaults filling in what it leaves out. */
export function commandResource(
  c: { resource: ResourceKind; key: string; options: CommandOptions },
  defaults: { project: string; environment: string },
): ResourceRef {
  return {
    kind: c.resource,
    projectKey: c.options.project ?? defaults.project,
    key: c.key,
    environmentKey: c.options.env ?? defaults.environment,
  };
}
