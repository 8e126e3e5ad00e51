import type { EnvironmentRef } from '../domain/watch.js';
import { type ScanDeps, type ScanOutcome, scanEnvironment } from '../services/scan.js';

/**
 * One pass of the full-scan job: every watched environment whose scan is running (it resumes
 * where it stopped), never finished, or older than WATCH_FULL_SCAN_INTERVAL, scanned by whichever
 * replica takes its lease.
 */
export async function runFullScanPass({ now, deps }: { now: number; deps: ScanDeps }) {
  const results: Array<{ environment: EnvironmentRef; outcome: ScanOutcome }> = [];
  for (const environment of await deps.watches.environments()) {
    const outcome = await scanEnvironment(environment, { now, deps });
    if (outcome.status !== 'not-due') results.push({ environment, outcome });
  }
  return results;
}
