import fc from 'fast-check';
import murmurhash from 'murmurhash';
import { allocationBucket, BUCKETS, groupBucket } from './bucketing';

describe('bucketing (properties)', () => {
  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 20 }), fc.string(), (salt, version, unitId) => {
        expect(allocationBucket(salt, version, unitId)).toBe(allocationBucket(salt, version, unitId));
        expect(groupBucket(salt, version, unitId)).toBe(groupBucket(salt, version, unitId));
      }),
    );
  });

  it("gives murmurhash's own result over the text, whatever its characters or length", () => {
    const text = fc.string({ unit: 'binary', maxLength: 600 });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 20 }), text, (salt, version, unitId) => {
        expect(allocationBucket(salt, version, unitId)).toBe(murmurhash.v3(`${salt}.allocation.${version}.${unitId}`, 1) % BUCKETS);
        expect(groupBucket(salt, version, unitId)).toBe(murmurhash.v3(`${salt}.group.${version}.${unitId}`, 1) % BUCKETS);
      }),
    );
  });

  it('spreads 100k units evenly over the buckets, and allocation independently of group', () => {
    const tenths = new Array<number>(10).fill(0);
    let bothLowHalves = 0;
    const units = 100_000;
    for (let i = 0; i < units; i++) {
      const allocation = allocationBucket('checkout_button', 1, `user-${i}`);
      const group = groupBucket('checkout_button', 1, `user-${i}`);
      tenths[Math.floor(allocation / (BUCKETS / 10))]! += 1;
      if (allocation < BUCKETS / 2 && group < BUCKETS / 2) bothLowHalves += 1;
    }
    // 10k expected per tenth; a fair hash stays within 3% (the standard deviation is about 95).
    for (const count of tenths) expect(Math.abs(count - units / 10)).toBeLessThan((units / 10) * 0.03);
    expect(Math.abs(bothLowHalves - units / 4)).toBeLessThan((units / 4) * 0.03);
  });
});
