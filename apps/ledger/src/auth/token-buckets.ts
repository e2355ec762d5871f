/** A bucket holds up to `capacity` tokens and regains one every `refillIntervalMs`; each counted attempt takes one. */
export interface BucketRule {
  capacity: number;
  refillIntervalMs: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Token buckets per key (a client address, an API key id), with the time passed in so that tests own the clock.
 *
 * At most `maxTracked` buckets are kept: past that the least recently used goes, and that key starts again with a
 * full bucket. So memory stays bounded whatever the number of keys, at the price that a caller with more keys than
 * the cap can make the limiter forget the others sooner.
 */
export class TokenBuckets<Key> {
  // A Map iterates in insertion order; re-inserting on every take keeps the least recently used first.
  private readonly buckets = new Map<Key, { tokens: number; at: number }>();

  constructor(
    private readonly rule: BucketRule,
    private readonly maxTracked: number,
  ) {
    if (rule.capacity < 1 || rule.refillIntervalMs <= 0 || maxTracked < 1) throw new RangeError('a bucket needs a capacity, a refill interval and room for one key');
  }

  /** Takes a token for `key` at `nowMs`, or says how long until one is back. A refused attempt takes nothing. */
  take(key: Key, nowMs: number): TakeResult {
    const tokens = this.tokensAt(key, nowMs);
    this.buckets.delete(key);
    if (tokens >= 1) {
      this.remember(key, { tokens: tokens - 1, at: nowMs });
      return { allowed: true };
    }
    this.remember(key, { tokens, at: nowMs });
    return { allowed: false, retryAfterMs: Math.ceil((1 - tokens) * this.rule.refillIntervalMs) };
  }

  /** How many keys are tracked now (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private tokensAt(key: Key, nowMs: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.rule.capacity;
    // A clock that steps back must not take tokens away.
    const elapsed = Math.max(0, nowMs - bucket.at);
    return Math.min(this.rule.capacity, bucket.tokens + elapsed / this.rule.refillIntervalMs);
  }

  private remember(key: Key, bucket: { tokens: number; at: number }): void {
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxTracked) this.buckets.delete(this.buckets.keys().next().value as Key);
  }
}

/** Whole seconds for a `Retry-After`: rounded up, so a client that waits that long finds a token; never 0. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
