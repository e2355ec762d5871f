import murmurhash from 'murmurhash';

/** Buckets are 0..9999: basis points of the population. */
export const BUCKETS = 10_000;

/** murmurhash3 (x86, 32 bit) with seed 1 over the UTF-8 bytes; pinned, as systems outside this repo compute it too. */
const hash = (input: string): number => murmurhash.v3(input, 1);

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
