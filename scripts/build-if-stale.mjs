// `npm start` runs this first (prestart): it compiles src/ to dist/ when dist/ is missing or older
// than the sources, so `npm ci && npm start` stays two commands while a start with an up-to-date
// build costs no compiler (tsc's own up-to-date check takes about a second just to load tsc).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const OUTPUT = 'dist/main.js';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // Installed without dev dependencies (npm ci --omit=dev): a build made beforehand is used as is.
  if (existsSync(OUTPUT)) process.exit(0);
  process.stderr.write(
    'ld-expiry-bot cannot start: dist/ is not built and TypeScript is not installed. ' +
      'Run `npm ci` (with dev dependencies) and `npm run build`, or copy a built dist/.\n',
  );
  process.exit(1);
}

const built = existsSync(OUTPUT) ? statSync(OUTPUT).mtimeMs : -1;
if (built >= Math.max(...INPUTS.filter(existsSync).map(newest))) process.exit(0);
process.stderr.write('ld-expiry-bot: compiling src/ to dist/ …\n');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
