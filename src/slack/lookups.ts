import type { LaunchDarklyClient } from '../launchdarkly/client.js';
import type { FlagRep } from '../launchdarkly/schemas.js';

/** A small time-bounded cache: pickers ask the same questions while someone types. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 500,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    // A failed load is not remembered.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, at: this.now() });
    return value;
  }
}

/** Resolves to undefined when `promise` takes longer than `ms` (or fails): Slack will not wait. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** LaunchDarkly reads behind the modal's pickers, cached for half a minute. */
export class Lookups {
  private readonly flags: TtlCache<Array<{ key: string; name: string }>>;
  private readonly segments: TtlCache<Array<{ key: string; name: string }>>;
  private readonly environments: TtlCache<Array<{ key: string; name: string; critical?: boolean }>>;
  private readonly flag: TtlCache<FlagRep>;

  constructor(
    private readonly ld: LaunchDarklyClient,
    now: () => number,
  ) {
    this.flags = new TtlCache(30_000, now);
    this.segments = new TtlCache(30_000, now);
    this.environments = new TtlCache(60_000, now);
    this.flag = new TtlCache(15_000, now);
  }

  searchFlags(project: string, text: string) {
    return this.flags.get(`${project}\u0000${text}`, () => this.ld.searchFlags(project, text, 100));
  }

  searchSegments(project: string, environment: string, text: string) {
    return this.segments.get(`${project}\u0000${environment}\u0000${text}`, () =>
      this.ld.searchSegments(project, environment, text, 100),
    );
  }

  listEnvironments(project: string) {
    return this.environments.get(project, () => this.ld.listEnvironments(project));
  }

  getFlag(project: string, key: string, environment: string) {
    return this.flag.get(`${project}\u0000${key}\u0000${environment}`, () =>
      this.ld.getFlag(project, key, environment),
    );
  }
}
