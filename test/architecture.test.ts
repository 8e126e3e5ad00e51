import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/**
 * The floors of the house, ground first: a module may import its own floor or one below, never
 * one above. Each entry is a folder or a file directly under src/.
 */
const FLOORS = [
  ['domain'],
  ['config.ts', 'log.ts'],
  ['launchdarkly', 'store', 'metrics.ts', 'preflight.ts', 'readiness.ts', 'http'],
  ['work'],
  ['deps.ts'],
  ['services'],
  ['slack', 'webhook.ts'],
  ['passes'],
  ['app.ts'],
  ['main.ts'],
];

/** The longest a source file may grow before it is split by what it holds. */
const MAX_LINES = 450;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, dynamic, type-only and re-exports), as files under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const floorOf = (file: string): number => {
  const top = relative(SRC, file).split('/')[0]!;
  const floor = FLOORS.findIndex((names) => names.includes(top));
  if (floor < 0) throw new Error(`src/${top} is on no floor: add it to FLOORS`);
  return floor;
};

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const name = (f: string) => relative(SRC, f);

describe('the house', () => {
  it('has no import that runs up a floor', () => {
    const upward = files.flatMap((file) =>
      graph
        .get(file)!
        .filter((target) => floorOf(target) > floorOf(file))
        .map((target) => `${name(file)} → ${name(target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('has every relative import pointing at a file that exists', () => {
    const missing = files.flatMap((file) =>
      graph
        .get(file)!
        .filter((target) => !graph.has(target))
        .map((target) => `${name(file)} → ${name(target)}`),
    );
    expect(missing).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file: name(file), lines: readFileSync(file, 'utf8').trimEnd().split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
