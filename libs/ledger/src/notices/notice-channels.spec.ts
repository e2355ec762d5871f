import { projectionProgressPayload } from './notice-channels';

describe('the projection progress notice', () => {
  const position = { consumerGroup: 'projector', topic: 'ledger', partition: 2, nextOffset: '42' };

  it('lists the touched keys when they fit in a NOTIFY payload', () => {
    expect(JSON.parse(projectionProgressPayload(position, ['a:userID', 'b:userID']))).toEqual({ ...position, changedKeys: ['a:userID', 'b:userID'] });
  });

  it('lists none when they do not, which readers take as "anything in the partition may have changed"', () => {
    const many = Array.from({ length: 1_000 }, (_, index) => `unit-${index}:userID`);
    const payload = projectionProgressPayload(position, many);
    expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
    expect(JSON.parse(payload)).toEqual(position);
  });
});
