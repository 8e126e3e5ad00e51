/**
 * A fault for the fakes: requests that match are held unanswered until the test lets them go on
 * (`release`: answered as if only slow) or loses them (`drop`: the connection closes, nothing is
 * done). Used to stop a bot at an exact point of its work, e.g. to kill it there.
 */
export class Hold<R> {
  private remaining: number;
  private readonly waiting: Array<(go: 'release' | 'drop') => void> = [];
  private decided: 'release' | 'drop' | undefined;
  private arrived!: (request: R) => void;
  /** Resolves with the first request held. */
  readonly reached: Promise<R>;
  /** Requests held so far. */
  readonly held: R[] = [];

  constructor(
    private readonly match: (request: R) => boolean,
    times: number,
  ) {
    this.remaining = times;
    this.reached = new Promise((resolve) => {
      this.arrived = resolve;
    });
  }

  /** Whether this hold takes `request` (and counts it). */
  takes(request: R): boolean {
    if (this.remaining <= 0 || !this.match(request)) return false;
    this.remaining--;
    return true;
  }

  /** Waits for the test's decision on a request this hold took. */
  wait(request: R): Promise<'release' | 'drop'> {
    this.held.push(request);
    this.arrived(request);
    if (this.decided) return Promise.resolve(this.decided);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Held requests (and later matching ones) go on and are answered. */
  release(): void {
    this.decide('release');
  }

  /** Held requests (and later matching ones) are lost: their connection closes unanswered. */
  drop(): void {
    this.decide('drop');
  }

  private decide(go: 'release' | 'drop'): void {
    this.decided = go;
    for (const resolve of this.waiting.splice(0)) resolve(go);
  }
}
