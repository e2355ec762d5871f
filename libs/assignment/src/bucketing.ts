import murmurhash from 'murmurhash';

/** Buckets are 0..9999: basis points of the population. */
export const BUCKETS = 10_000;

/**
 * Room for the UTF-8 bytes of a hashed text. Given a string, murmurhash encodes it into a fresh ArrayBuffer,
 * two per decision, and each one is then swept by a young-generation collection (at 2,000 evaluations/s the
 * ledger's scavenges spent 1.5-3 ms on array buffers); encoding into one buffer reused by every (synchronous)
 * hash changes no result.
 */
const utf8 = new TextEncoder();
const scratch = new Uint8Array(1024);

/** murmurhash3 (x86, 32 bit) with seed 1 over the UTF-8 bytes; pinned, as systems outside this repo compute it too. */
function hash(input: string): number {
  // A UTF-16 code unit takes at most three UTF-8 bytes.
  if (input.length * 3 > scratch.length) return murmurhash.v3(input, 1);
  const { written } = utf8.encodeInto(input, scratch);
  return murmurhash.v3(scratch.subarray(0, written), 1);
}

export function allocationBucket(salt: string, bucketVersion: number, unitId: string): number {
  return hash(`${salt}.allocation.${bucketVersion}.${unitId}`) % BUCKETS;
}

export function groupBucket(salt: string, bucketVersion: number, unitId: string): number {
  return hash(`${salt}.group.${bucketVersion}.${unitId}`) % BUCKETS;
}

/** allocationPercent has two decimals, so percent × 100 is a whole number of buckets. */
export function isAllocated(bucket: number, allocationPercent: number): boolean {
  return bucket < Math.round(allocationPercent * 100);
}

/** Walks the groups in order over their cumulative weight (percent × 100 buckets each). */
export function groupAt<G extends { weight: number }>(groups: readonly G[], bucket: number): G | undefined {
  let upper = 0;
  for (const group of groups) {
    upper += Math.round(group.weight * 100);
    if (bucket < upper) return group;
  }
  return undefined;
}
