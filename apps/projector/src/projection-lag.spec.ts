import { ProjectionLag } from './projection-lag';

const at = (seconds: number) => Date.UTC(2026, 11, 1, 12, 0, seconds);

describe('the projection lag each partition reports', () => {
  it('counts a fetched batch as behind until it is applied, and seconds from the newest applied record', () => {
    const lag = new ProjectionLag();
    // Records 100..149 of a log ending at 150, the first written at :00.
    lag.fetched(0, '150', '100', at(0));
    expect(lag.read(at(5))).toEqual([{ partition: 0, records: 50, seconds: 5 }]);
    // Applied up to 150 (its newest record from :04) while the log grew to 160.
    lag.applied(0, '160', '150', at(4));
    expect(lag.read(at(10))).toEqual([{ partition: 0, records: 10, seconds: 6 }]);
    // Caught up: an idle log is not late, however old its newest record.
    lag.applied(0, '160', '160', at(9));
    expect(lag.read(at(3600))).toEqual([{ partition: 0, records: 0, seconds: 0 }]);
  });

  it('measures a batch stuck in hand from the newest record applied before it', () => {
    const lag = new ProjectionLag();
    lag.applied(1, '10', '10', at(0));
    lag.fetched(1, '12', '10', at(20));
    expect(lag.read(at(30))).toEqual([{ partition: 1, records: 2, seconds: 30 }]);
  });

  it('lists partitions in order, forgets one that went to another member, and never reads negative', () => {
    const lag = new ProjectionLag();
    lag.applied(2, '5', '5', at(0));
    lag.applied(0, '5', '7', at(0));
    lag.applied(1, '9', '3', at(10));
    lag.forget(2);
    expect(lag.read(at(5))).toEqual([
      { partition: 0, records: 0, seconds: 0 },
      { partition: 1, records: 6, seconds: 0 },
    ]);
  });
});
