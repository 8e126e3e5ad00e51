import type { SafetyStore } from '../store/safety-store.js';

/**
 * Does `work` once per key, across redeliveries and replicas: a redelivered command, a form
 * submitted twice, a double click. `work` says whether it settled the matter; when it did not
 * (it failed, or threw), the key is given back so that the person can simply try again.
 * Returns false when the key was already taken.
 */
export async function once(
  store: SafetyStore,
  key: string,
  now: number,
  work: () => Promise<boolean>,
): Promise<boolean> {
  if (!(await store.once(key, now))) return false;
  let settled = false;
  try {
    settled = await work();
  } finally {
    if (!settled) await store.forget(key);
  }
  return true;
}
