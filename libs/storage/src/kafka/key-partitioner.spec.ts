import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { KeyPartitioner } from './key-partitioner';
import { murmur2 } from './murmur2';

describe('murmur2', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
  ])('hashes %j as the Java client does', (key, hash) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
  });
});

describe('KeyPartitioner', () => {
  const kafkajsPartition = (key: string, partitionCount: number): number =>
    Partitioners.DefaultPartitioner()({
      topic: 't',
      partitionMetadata: Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 })),
      message: { key, value: null },
    });

  it("puts every key where kafkajs's Java-compatible partitioner does, whatever its characters and length", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1200 }), fc.integer({ min: 1, max: 64 }), (key, partitionCount) => {
        expect(new KeyPartitioner(partitionCount).partitionOf(key)).toBe(kafkajsPartition(key, partitionCount));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a topic without partitions', () => {
    expect(() => new KeyPartitioner(0)).toThrow('at least one partition');
  });
});
