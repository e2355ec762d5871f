import { performance } from 'node:perf_hooks';
import { CompressionTypes, type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { encodeLedgerEvent, type EventHeaders, eventHeadersFor, type LedgerEvent } from '@ledger/events';
import { type KeyPartitioner } from '@ledger/storage';

export interface AppendedPosition {
  partition: number;
  offset: string;
}

/**
 * An append waiting for the broker, which is also the record as it goes out: built when the append arrives
 * (a record that cannot be built fails its own append, not a batch), and one object where two were, since
 * thousands of these wait at a time and every young-generation collection copies the waiting ones.
 */
interface PendingAppend extends Message {
  key: string;
  partition: number;
  resolve: (position: AppendedPosition) => void;
  reject: (error: unknown) => void;
}

/** Largest produce request, in events. */
const MAX_BATCH_EVENTS = 1000;
/** Produce requests on the wire at once, when full batches are waiting or the oldest request is slow. */
const MAX_REQUESTS_IN_FLIGHT = 4;
/**
 * A request out longer than this (round trips here take a few milliseconds) is in trouble, retrying through
 * a broker restart, say; appends behind it then go out beside it instead of waiting for it.
 */
const SLOW_REQUEST_MS = 50;

/**
 * Appends ledger events to the topic with an idempotent producer and acks from all in-sync replicas,
 * keyed by persistence key so that one unit's history stays ordered on one partition.
 *
 * Appends go out in shared produce requests, the way a database commits a group: while one request is on
 * the wire, new appends wait and leave together with the next, so batches grow with load without a linger
 * delay; only full batches go out beside requests already in flight, or any batch once those are slow.
 * Each request costs the client about a millisecond of CPU whatever it holds, so this, not the broker,
 * decides how many appends a core carries.
 * Each caller still learns its own offset: the broker gives each partition's base offset, and records of a
 * partition take consecutive offsets in the order they were sent.
 *
 * Every record carries CloudEvents headers (Kafka binding, binary mode) naming `source`, the deployment's
 * CloudEvents source, so the topic reads as a public feed (docs/events.md).
 */
export class EventAppender {
  private readonly producer: Producer;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  /** When each request on the wire was sent. */
  private readonly requestsInFlight = new Set<{ sentAt: number }>();
  private readonly headersOf: (event: LedgerEvent) => EventHeaders;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly partitioner: KeyPartitioner,
    source: string,
  ) {
    this.headersOf = eventHeadersFor(source);
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      // Unbounded retries keep the idempotent producer's exactly-once guarantee; callers bound their wait instead.
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 2_000 },
      // It only hands back the partition each record already carries (KeyPartitioner's choice); named so that
      // kafkajs does not warn at every start that its default changed in 2.0.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Resolves only once the broker has acknowledged the event as durably written; an invalid event is refused here. */
  append(event: LedgerEvent): Promise<AppendedPosition> {
    let value: Buffer;
    let headers: EventHeaders;
    try {
      value = encodeLedgerEvent(event);
      headers = this.headersOf(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendedPosition>((resolve, reject) => {
      const key = event.data.persistenceKey;
      this.queue.push({ key, value, partition: this.partitioner.partitionOf(key), headers, timestamp: recordTimestamp(event.metadata.occurredAt), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  private mayAddRequest(): boolean {
    if (this.requestsInFlight.size === 0) return true;
    if (this.requestsInFlight.size >= MAX_REQUESTS_IN_FLIGHT) return false;
    if (this.queue.length >= MAX_BATCH_EVENTS) return true;
    const now = performance.now();
    return [...this.requestsInFlight].every((request) => now - request.sentAt > SLOW_REQUEST_MS);
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0 && this.mayAddRequest()) {
      const batch = this.queue.splice(0, MAX_BATCH_EVENTS);
      const request = { sentAt: performance.now() };
      this.requestsInFlight.add(request);
      void this.send(batch).finally(() => {
        this.requestsInFlight.delete(request);
        this.flush();
      });
    }
  }

  private async send(batch: PendingAppend[]): Promise<void> {
    try {
      const metadata = await this.producer.send({
        topic: this.topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: batch,
      });
      const nextOffset = new Map(metadata.map((record) => [record.partition, BigInt(record.baseOffset ?? '-1')]));
      for (const pending of batch) {
        const { partition } = pending;
        const offset = nextOffset.get(partition);
        if (offset === undefined || offset < 0n) {
          pending.reject(new Error(`the broker acknowledged no offset for partition ${partition}`));
          continue;
        }
        nextOffset.set(partition, offset + 1n);
        pending.resolve({ partition, offset: offset.toString() });
      }
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}

let lastOccurredAt = '';
let lastTimestamp = '';

/** The record's timestamp is the event's time, in the milliseconds text kafkajs takes; shared per millisecond like the time. */
function recordTimestamp(occurredAt: string): string {
  if (occurredAt !== lastOccurredAt) {
    lastOccurredAt = occurredAt;
    lastTimestamp = String(Date.parse(occurredAt));
  }
  return lastTimestamp;
}
