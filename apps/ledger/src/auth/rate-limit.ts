import { performance } from 'node:perf_hooks';
import { TooManyRequestsError } from '@ledger/platform';
import { type BucketRule, retryAfterSeconds, TokenBuckets } from './token-buckets';

/**
 * Failed authentications per client network: a burst of 20, then one every second (60 a minute) until the burst
 * is back. Enough for a misconfigured client's retries to be told apart from a flood of guesses.
 */
export const FAILED_AUTHENTICATIONS: BucketRule = { capacity: 20, refillIntervalMs: 1_000 };

/** Keys created per calling key: a burst of 10, then one every 6 seconds (10 a minute). */
export const KEY_CREATIONS: BucketRule = { capacity: 10, refillIntervalMs: 6_000 };

/** Clients (or calling keys) tracked per limit: ~100 bytes each, so about 1 MB at most. */
const MAX_TRACKED = 10_000;

/** A token bucket per key on the process's monotonic clock, so that a wall-clock step neither frees nor blocks callers. */
export class RateLimit {
  private readonly buckets: TokenBuckets<string>;

  constructor(
    rule: BucketRule,
    private readonly refusal: string,
  ) {
    this.buckets = new TokenBuckets(rule, MAX_TRACKED);
  }

  /** Counts one attempt for `key`; TooManyRequestsError once its bucket is empty. */
  take(key: string): void {
    const result = this.buckets.take(key, performance.now());
    if (result.allowed) return;
    const seconds = retryAfterSeconds(result.retryAfterMs);
    throw new TooManyRequestsError(`${this.refusal}; retry in ${seconds} s`, seconds);
  }
}
