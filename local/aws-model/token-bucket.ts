/** A request rate: `perSecond` sustained, `burst` at once (the bucket's size). */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** A token bucket: full at first, refilled at `perSecond` on the given clock (ms). */
export class TokenBucket {
  readonly #limit: RateLimit;
  #tokens: number;
  #refilledAt: number;

  constructor(limit: RateLimit, now: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#refilledAt = now;
  }

  /** Takes a token if there is one; false means the call is throttled. */
  take(now: number): boolean {
    const elapsedSeconds = Math.max(0, now - this.#refilledAt) / 1000;
    this.#tokens = Math.min(
      this.#limit.burst,
      this.#tokens + elapsedSeconds * this.#limit.perSecond,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
