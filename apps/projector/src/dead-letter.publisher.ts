import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { type DeadLetter } from '@ledger/ledger';

/**
 * Copies records that break the event contract to the dead-letter topic, as they were, with where they
 * came from and why they were refused, so the projector can go on and someone can look later.
 */
export class DeadLetterPublisher {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly deadLetterTopic: string,
  ) {
    this.producer = kafka.producer({ idempotent: true, retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 2_000 }, createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async publish(sourceTopic: string, partition: number, letters: DeadLetter[]): Promise<void> {
    await this.producer.send({
      topic: this.deadLetterTopic,
      acks: -1,
      messages: letters.map(({ record, reason }) => ({
        key: record.key,
        value: record.value,
        headers: {
          'dead-letter-reason': reason,
          'source-topic': sourceTopic,
          'source-partition': String(partition),
          'source-offset': record.offset,
        },
      })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
