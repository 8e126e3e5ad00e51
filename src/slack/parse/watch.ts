import { z } from 'zod';
import { RESOURCE_KEY } from '../../domain/targets.js';

export interface WatchOptions {
  project?: string;
  env?: string;
}

export type WatchCommand =
  | { verb: 'watch'; options: WatchOptions }
  | { verb: 'unwatch'; options: WatchOptions }
  | { verb: 'watching' };

export type WatchParse = { ok: true; command: WatchCommand } | { ok: false; problem: string };

const key = (what: string) =>
  z.string().regex(RESOURCE_KEY, `"%s" is not a valid ${what} key (letters, digits, ".", "-", "_")`);
const KEYS = { project: key('project'), env: key('environment') } as const;
const NAMES: Record<string, 'project' | 'env'> = {
  '--project': 'project',
  '--env': 'env',
  '--environment': 'env',
};

/** `watch|unwatch [--project p] [--env e]` and `watching`; `words` follow the verb. */
export function parseWatchCommand(verb: 'watch' | 'unwatch' | 'watching', words: string[]): WatchParse {
  if (verb === 'watching') {
    return words.length === 0
      ? { ok: true, command: { verb } }
      : { ok: false, problem: `watching takes nothing after it, not "${words.join(' ')}".` };
  }
  const options: WatchOptions = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const [rawName, inline] = word.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = NAMES[rawName.toLowerCase()];
    if (!name) {
      return {
        ok: false,
        problem: `${verb} takes only --project and --env, not "${word}". Example: /expire ${verb} --env production`,
      };
    }
    const value = inline ?? words[++i];
    if (!value || value.startsWith('--'))
      return { ok: false, problem: `${rawName} needs a value, e.g. ${rawName} production.` };
    const parsed = KEYS[name].safeParse(value);
    if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]!.message.replace('%s', value) };
    options[name] = value;
  }
  return { ok: true, command: verb === 'watch' ? { verb, options } : { verb, options } };
}
