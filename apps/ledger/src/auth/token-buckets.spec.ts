import { retryAfterSeconds, TokenBuckets } from './token-buckets';

describe('token buckets', () => {
  const rule = { capacity: 3, refillIntervalMs: 1_000 };
  const takeTimes = (buckets: TokenBuckets<string>, key: string, times: number, nowMs: number) => Array.from({ length: times }, () => buckets.take(key, nowMs).allowed);

  it('allows a burst of the capacity, then refuses with the time until a token is back', () => {
    const buckets = new TokenBuckets<string>(rule, 100);
    expect(takeTimes(buckets, 'a', 3, 0)).toEqual([true, true, true]);
    expect(buckets.take('a', 0)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect(buckets.take('a', 250)).toEqual({ allowed: false, retryAfterMs: 750 });
  });

  it('refills one token per interval, never above the capacity', () => {
    const buckets = new TokenBuckets<string>(rule, 100);
    takeTimes(buckets, 'a', 3, 0);
    expect(buckets.take('a', 999).allowed).toBe(false);
    expect(takeTimes(buckets, 'a', 2, 1_000)).toEqual([true, false]);
    // A long quiet spell gives back the burst and no more.
    expect(takeTimes(buckets, 'a', 4, 60_000)).toEqual([true, true, true, false]);
  });

  it('takes nothing for a refused attempt, so hammering does not push the refill further away', () => {
    const buckets = new TokenBuckets<string>(rule, 100);
    takeTimes(buckets, 'a', 3, 0);
    for (let nowMs = 0; nowMs < 1_000; nowMs += 10) expect(buckets.take('a', nowMs).allowed).toBe(false);
    expect(buckets.take('a', 1_000).allowed).toBe(true);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets<string>(rule, 100);
    takeTimes(buckets, 'a', 3, 0);
    expect(buckets.take('a', 0).allowed).toBe(false);
    expect(buckets.take('b', 0).allowed).toBe(true);
  });

  it('does not take tokens away when the clock steps back', () => {
    const buckets = new TokenBuckets<string>(rule, 100);
    takeTimes(buckets, 'a', 2, 10_000);
    expect(takeTimes(buckets, 'a', 2, 5_000)).toEqual([true, false]);
  });

  it('tracks at most maxTracked keys, forgetting the least recently used', () => {
    const buckets = new TokenBuckets<string>(rule, 2);
    takeTimes(buckets, 'a', 3, 0);
    takeTimes(buckets, 'b', 3, 0);
    expect(buckets.take('a', 0).allowed).toBe(false); // 'a' is now the most recently used
    buckets.take('c', 0);
    expect(buckets.size).toBe(2);
    expect(buckets.take('a', 0).allowed).toBe(false);
    expect(buckets.take('b', 0).allowed).toBe(true); // forgotten, so full again
  });

  it('refuses a rule that could never allow anything', () => {
    expect(() => new TokenBuckets({ capacity: 0, refillIntervalMs: 1_000 }, 10)).toThrow(RangeError);
    expect(() => new TokenBuckets({ capacity: 1, refillIntervalMs: 0 }, 10)).toThrow(RangeError);
    expect(() => new TokenBuckets(rule, 0)).toThrow(RangeError);
  });

  it('rounds a Retry-After up to whole seconds, at least one', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1_000)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
    expect(retryAfterSeconds(0)).toBe(1);
  });
});
