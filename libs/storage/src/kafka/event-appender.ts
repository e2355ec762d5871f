import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { encodeLedgerEvent, eventHeaders, type LedgerEvent } from '@ledger/events';

export interface AppendedPosition {
  partition: number;
  offset: string;
}

/**
 * Appends ledger events to the topic with an idempotent producer and acks from all in-sync replicas,
 * keyed by persistence key so that one unit's history stays ordered on one partition.
 */
export class EventAppender {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      // Unbounded retries keep the idempotent producer's exactly-once guarantee; callers bound their wait instead.
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 2_000 },
      // The Java client's partitioner, so other clients (analytics, Kafka's tools) agree on key -> partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Resolves only once the broker has acknowledged the event as durably written. */
  async append(event: LedgerEvent): Promise<AppendedPosition> {
    const [record] = await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: [
        {
          key: event.data.persistenceKey,
          value: encodeLedgerEvent(event),
          headers: eventHeaders(event),
          timestamp: String(Date.parse(event.metadata.occurredAt)),
        },
      ],
    });
    if (!record?.baseOffset) throw new Error(`the broker acknowledged no offset for event ${event.metadata.eventId}`);
    return { partition: record.partition, offset: record.baseOffset };
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
