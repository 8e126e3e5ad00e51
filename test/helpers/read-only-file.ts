import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = process.getuid?.() === 0;

/**
 * Makes a file truly read-only for every process, root included, and returns the undo (run it:
 * an immutable file cannot be deleted either). A mode of 0444 stops anyone but root, who ignores
 * file modes (CI runs as root), so for root the file is made immutable: `chattr +i`, which needs
 * CAP_LINUX_IMMUTABLE and a filesystem that keeps the flag (ext4, xfs, btrfs; not tmpfs or
 * overlayfs). SQLite then cannot open it for writing and opens it read-only, refusing every write
 * with SQLITE_READONLY, as it does a file an operator left read-only. (`PRAGMA query_only` would
 * fake that refusal, not meet it.) Only the database file: its -shm is mapped into memory and must
 * stay writable, as SQLite needs it to read a WAL database at all.
 */
export function makeReadOnly(path: string): () => void {
  if (!isRoot) {
    chmodSync(path, 0o444);
    return () => chmodSync(path, 0o644);
  }
  chattr('+i', path);
  return () => chattr('-i', path);
}

function chattr(flag: '+i' | '-i', path: string): void {
  const run = spawnSync('chattr', [flag, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`chattr ${flag} ${path}: ${run.error?.message ?? run.stderr.trim()}`);
}

/** Why no file can be made read-only for this process here, or undefined when `makeReadOnly` works. */
export const readOnlyUnavailable: string | undefined = (() => {
  if (!isRoot) return undefined;
  const path = join(mkdtempSync(join(tmpdir(), 'ld-expiry-bot-ro-')), 'probe');
  writeFileSync(path, '');
  try {
    makeReadOnly(path)();
    return undefined;
  } catch (error) {
    return `running as root, and ${(error as Error).message}: root ignores file modes, so no file can be made read-only here`;
  }
})();
