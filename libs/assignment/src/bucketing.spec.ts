import { allocationBucket, groupAt, groupBucket, isAllocated } from './bucketing';

describe('bucketing (pinned: other systems compute the same buckets)', () => {
  it.each([
    ['test-123', 8026, 6974],
    ['user-42', 7543, 1664],
    ['ünïcødé-7', 5496, 4277],
  ])('murmur3 seed 1 over "checkout_button.<kind>.1.%s" gives allocation %i and group %i', (unitId, allocation, group) => {
    expect(allocationBucket('checkout_button', 1, unitId)).toBe(allocation);
    expect(groupBucket('checkout_button', 1, unitId)).toBe(group);
  });

  it('allocates buckets below allocationPercent × 100', () => {
    expect(isAllocated(4999, 50)).toBe(true);
    expect(isAllocated(5000, 50)).toBe(false);
    expect(isAllocated(0, 0)).toBe(false);
    expect(isAllocated(9999, 100)).toBe(true);
    expect(isAllocated(1233, 12.34)).toBe(true);
    expect(isAllocated(1234, 12.34)).toBe(false);
  });

  it('walks groups in order over cumulative weight', () => {
    const groups = [
      { name: 'Control', weight: 33.33 },
      { name: 'A', weight: 33.33 },
      { name: 'B', weight: 33.34 },
    ];
    expect(groupAt(groups, 0)?.name).toBe('Control');
    expect(groupAt(groups, 3332)?.name).toBe('Control');
    expect(groupAt(groups, 3333)?.name).toBe('A');
    expect(groupAt(groups, 6666)?.name).toBe('B');
    expect(groupAt(groups, 9999)?.name).toBe('B');
  });
});
