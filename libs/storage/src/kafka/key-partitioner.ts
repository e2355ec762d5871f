import { type Admin, Partitioners, type PartitionMetadata } from 'kafkajs';

/**
 * Which partition a persistence key lives on: the Java client's murmur2 partitioner over the topic's
 * partition count, so the ledger, Kafka's own tools and analytics consumers all agree. The count is read
 * once; adding partitions to the topic would move keys, which this service does not support.
 */
export class KeyPartitioner {
  private readonly partitioner = Partitioners.DefaultPartitioner();

  private constructor(
    private readonly topic: string,
    private readonly partitionMetadata: PartitionMetadata[],
  ) {}

  static async forTopic(admin: Admin, topic: string): Promise<KeyPartitioner> {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
    return new KeyPartitioner(topic, [...partitions].sort((a, b) => a.partitionId - b.partitionId));
  }

  partitionOf(persistenceKey: string): number {
    return this.partitioner({ topic: this.topic, partitionMetadata: this.partitionMetadata, message: { key: persistenceKey, value: null } });
  }
}
