import { type Admin } from 'kafkajs';
import { murmur2 } from './murmur2';

/** A UTF-16 code unit takes at most 3 bytes of UTF-8, so a key of up to this many units fits the scratch buffer. */
const SCRATCH_KEY_UNITS = 1024;

/**
 * Which partition a persistence key lives on: the Java client's default partitioner (murmur2 of the key's
 * UTF-8 bytes, made positive, modulo the partition count), so the ledger, Kafka's own tools and analytics
 * consumers all agree. The count is read once; adding partitions to the topic would move keys, which this
 * service does not support.
 */
export class KeyPartitioner {
  /** Keys are encoded here rather than into a fresh buffer each: the hash reads them at once and keeps nothing. */
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_KEY_UNITS * 3);

  constructor(private readonly partitionCount: number) {
    if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new Error(`a topic needs at least one partition, not ${partitionCount}`);
  }

  static async forTopic(admin: Admin, topic: string): Promise<KeyPartitioner> {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
    return new KeyPartitioner(partitions.length);
  }

  partitionOf(persistenceKey: string): number {
    const bytes = persistenceKey.length <= SCRATCH_KEY_UNITS ? this.scratch.subarray(0, this.scratch.write(persistenceKey, 'utf8')) : Buffer.from(persistenceKey, 'utf8');
    return (murmur2(bytes) & 0x7fffffff) % this.partitionCount;
  }
}
