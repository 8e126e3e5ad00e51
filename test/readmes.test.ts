import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The folders whose READMEs (their own and their subfolders') are held to the files they name. */
const README_FOLDERS = ['src', 'test/helpers', 'bench'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const readmes = README_FOLDERS.flatMap((folder) => filesUnder(join(ROOT, folder)))
  .filter((file) => basename(file) === 'README.md')
  .map((file) => relative(ROOT, file));

/**
 * A file name as the READMEs write one: in backticks, without spaces, ending in .ts, .mjs, .js,
 * .json or .md. Anything else in backticks (`node:http`, `.env`, `slack/listeners/<kind>/`,
 * `run({ now, deps })`) is not taken for a file of this repo.
 */
const FILE_NAME = /`([^`\s]+\.(?:ts|mjs|js|json|md))`/g;

/** Exact paths in .gitignore: what a run writes (`bench/results.json`), named but never committed. */
const written = new Set(
  readFileSync(join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/[#!*]/.test(line)),
);

/**
 * Where a name in the README of `folder` (a path from the repo root) may be:
 * - with a slash: from the README's folder, from src/, or from the repo root
 *   (`listeners/jobs.ts`, `slack/listeners/jobs.ts`, `src/slack/http-fetch.ts`);
 * - bare: in the README's folder, a folder below it (src/README.md's `index.ts` is a listener
 *   kind's), or a folder above it up to the repo root (src/passes/README.md's `main.ts`).
 */
function places(folder: string, name: string): string[] {
  if (name.includes('/')) return [join(folder, name), join('src', name), name];
  const below = filesUnder(join(ROOT, folder))
    .map((file) => relative(ROOT, file))
    .filter((file) => basename(file) === name);
  const above: string[] = [];
  for (let dir = folder; dir !== '.'; dir = dirname(dir)) above.push(join(dirname(dir), name));
  return [join(folder, name), ...below, ...above];
}

/**
 * The file names a README writes, in order. A name that starts with `-` shortens the full name
 * before it: it replaces that name's last `-` word (`when-parsers-clock.ts`, `-days.ts` →
 * `when-parsers-days.ts`).
 */
function fileNamesIn(text: string): string[] {
  const names: string[] = [];
  let previous: string | undefined;
  for (const [, written] of text.matchAll(FILE_NAME)) {
    const name = written!.startsWith('-') && previous ? previous.replace(/-[^-/]*$/, written!) : written!;
    if (!written!.startsWith('-')) previous = name;
    names.push(name);
  }
  return names;
}

describe('the folder READMEs', () => {
  it('are found', () => {
    expect(readmes).toContain('src/README.md');
    expect(readmes).toContain('test/helpers/README.md');
    expect(readmes).toContain('bench/README.md');
  });

  it('are read by these rules', () => {
    expect(fileNamesIn('`worker.ts`, `node:http`, `.env`, `when-parsers-clock.ts`, `-days.ts`')).toEqual([
      'worker.ts',
      'when-parsers-clock.ts',
      'when-parsers-days.ts',
    ]);
    expect(places('src/passes', 'main.ts')).toContain('src/main.ts');
    expect(places('src/slack', 'listeners/jobs.ts')).toContain('src/slack/listeners/jobs.ts');
    expect(places('src/work', 'slack/listeners/jobs.ts')).toContain('src/slack/listeners/jobs.ts');
  });

  it.each(readmes)('%s names only files that exist', (readme) => {
    const names = fileNamesIn(readFileSync(join(ROOT, readme), 'utf8'));
    const missing = names
      .filter((name) => {
        const where = places(dirname(readme), name);
        return !where.some((path) => written.has(path) || existsSync(join(ROOT, path)));
      })
      .map((name) => `${readme}: \`${name}\``);
    expect(missing).toEqual([]);
  });
});

/**
 * The metric names README.md writes. `…_x` stands for the full name before it with its last
 * words replaced by `_x` (`…_rate_limit_waits_total` and `…_wait_seconds_total`): it holds when
 * one such replacement is a metric.
 */
function metricNamesIn(text: string): Array<{ written: string; meant: string[] }> {
  const names: Array<{ written: string; meant: string[] }> = [];
  let previous: string | undefined;
  for (const [written] of text.matchAll(/ld_expiry_bot_[a-z0-9_]+|…_[a-z0-9_]+/g)) {
    if (!written.startsWith('…')) {
      previous = written;
      names.push({ written, meant: [written] });
      continue;
    }
    const tail = written.slice(1);
    const cuts = [...(previous ?? '').matchAll(/_/g)]
      .map((m) => m.index)
      .filter((i) => i >= 'ld_expiry_bot'.length);
    names.push({ written, meant: cuts.map((i) => previous!.slice(0, i) + tail) });
  }
  return names;
}

describe('README.md', () => {
  it('is read by this rule', () => {
    const [, short] = metricNamesIn('`ld_expiry_bot_x_waits_total{reason}` and `…_wait_seconds_total`');
    expect(short!.meant).toContain('ld_expiry_bot_x_wait_seconds_total');
  });

  it('names only metrics that /metrics exposes', async () => {
    const metrics = createMetrics();
    metrics.watchWork({ open: async () => 0, running: () => 0 });
    const exposed = new Set(
      (await metrics.registry.getMetricsAsJSON()).flatMap((m) =>
        // A histogram's (or summary's) name also covers the series it is written as.
        ['histogram', 'summary'].includes(String(m.type))
          ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
          : [m.name],
      ),
    );
    const names = metricNamesIn(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(names.length).toBeGreaterThan(0);
    const unknown = names.filter((n) => !n.meant.some((name) => exposed.has(name))).map((n) => n.written);
    expect(unknown).toEqual([]);
  });
});
