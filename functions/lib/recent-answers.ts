/**
 * Answers kept for a few seconds, by key: what a warm execution environment may reuse from its
 * last requests instead of asking AWS again (a burst of requests for one cluster and
 * namespace reads the same cluster, profiles, subnets and VPC attributes each time).
 *
 * The age limit is given at each read (a setting, read per invocation); 0 keeps nothing. At
 * most `limit` keys are kept, the oldest dropped first.
 */
export class RecentAnswers<T> {
  readonly #kept = new Map<string, { readonly value: T; readonly at: number }>();
  readonly #limit: number;
  readonly #now: () => number;

  constructor(options: { readonly limit?: number; readonly now?: () => number } = {}) {
    this.#limit = options.limit ?? 64;
    this.#now = options.now ?? Date.now;
  }

  /** The answer kept for `key` if it is younger than `maxAgeSeconds`, else undefined. */
  get(key: string, maxAgeSeconds: number): T | undefined {
    const kept = this.#kept.get(key);
    if (!kept) return undefined;
    if (this.#now() - kept.at < maxAgeSeconds * 1000) return kept.value;
    this.#kept.delete(key);
    return undefined;
  }

  /** Keeps `value` for `key` from now (nothing when `maxAgeSeconds` is 0 or less). */
  set(key: string, value: T, maxAgeSeconds: number): void {
    if (!(maxAgeSeconds > 0)) return;
    this.#kept.delete(key);
    this.#kept.set(key, { value, at: this.#now() });
    for (const oldest of this.#kept.keys()) {
      if (this.#kept.size <= this.#limit) break;
      this.#kept.delete(oldest);
    }
  }
}
