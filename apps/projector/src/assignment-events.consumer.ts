import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { type Admin, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type DependencyProbe } from '@ledger/platform';
import { KAFKA, KAFKA_ADMIN, LEDGER_TOPICS, type LedgerTopics } from '@ledger/storage';
import { type ProjectorConfig } from './config';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { PROJECTOR_CONFIG } from './projector-config.token';
import { StickyValuesWriter } from './sticky-values.writer';

const RETRY_BACKOFF_MIN_MS = 200;
const PROJECTOR_SESSION_TIMEOUT_MS = 10_000;
const PARTITIONS_IN_PARALLEL = 3;
const RETRY_BACKOFF_MAX_MS = 5_000;

/**
 * Consumes the ledger topic in batches and hands each partition's batch to the writer. While the
 * database is unavailable it keeps the batch and retries with backoff (heartbeating, so the group does
 * not rebalance), and resumes by itself when the database is back.
 */
@Injectable()
export class AssignmentEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AssignmentEventsConsumer.name);
  private readonly consumer: Consumer;
  private readonly deadLetters: DeadLetterPublisher;
  /** Partitions sought to their stored position after a gap, so a second gap at the same place is accepted. */
  private readonly soughtAfterGap = new Map<number, string>();
  /** Partitions the projector refuses to go on with, and why (readiness reports it). */
  private readonly halted = new Map<number, string>();

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(LEDGER_TOPICS) private readonly topics: LedgerTopics,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    private readonly writer: StickyValuesWriter,
  ) {
    this.consumer = kafka.consumer({
      groupId: config.kafka.projectorGroupId,
      allowAutoTopicCreation: false,
      // A fetch returns as soon as any record arrives; this bounds how often an idle projector asks (at 100 ms
      // the polling cost it ~5% of a core beside a loaded ledger), and how long an idle one takes to stop or
      // to join a rebalance (up to this much longer).
      maxWaitTimeInMs: 500,
      // A member lost in a crash (ours, or the broker's restart) holds its partitions until its session
      // expires; a short session gives them back quickly. Heartbeats go out between and during batches.
      sessionTimeout: PROJECTOR_SESSION_TIMEOUT_MS,
      rebalanceTimeout: PROJECTOR_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
    });
    this.deadLetters = new DeadLetterPublisher(kafka, topics.deadLetters);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.deadLetters.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.events, fromBeginning: true });
    // The database, not Kafka's committed offset, says where each partition's projection stands.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      void this.seekToStoredPositions(payload.memberAssignment[this.topics.events] ?? []);
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      // Partitions are independent (each has its own position row), so their batches may commit side by side.
      partitionsConsumedConcurrently: PARTITIONS_IN_PARALLEL,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Readiness: down while any partition is halted, with the operator's next step. */
  readonly projectionProbe: DependencyProbe = {
    name: 'projection',
    check: async () => {
      if (this.halted.size > 0) throw new Error([...this.halted.values()].join('; '));
    },
  };

  async beforeApplicationShutdown(): Promise<void> {
    // Waits for the batch in hand to finish and commits its offsets before leaving the group.
    await this.consumer.disconnect();
    await this.deadLetters.disconnect();
  }

  private async logEndOf(partition: number): Promise<bigint> {
    const offsets = await this.admin.fetchTopicOffsets(this.topics.events);
    return BigInt(offsets.find((entry) => entry.partition === partition)?.high ?? '0');
  }

  private halt(partition: number, reason: string): void {
    if (!this.halted.has(partition)) this.logger.error(`projection halted: ${reason}`);
    this.halted.set(partition, reason);
    this.consumer.pause([{ topic: this.topics.events, partitions: [partition] }]);
  }

  private async seekToStoredPositions(partitions: number[]): Promise<void> {
    for (const partition of partitions) {
      try {
        const offset = await this.writer.storedPosition(this.config.kafka.projectorGroupId, this.topics.events, partition);
        this.consumer.seek({ topic: this.topics.events, partition, offset });
      } catch (error) {
        // The batch check still guards correctness; a failed seek only costs a re-read.
        this.logger.warn(`could not read the stored position of partition ${partition}: ${(error as Error).message}`);
      }
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    let backoff = RETRY_BACKOFF_MIN_MS;
    while (isRunning() && !isStale()) {
      try {
        const result = await this.writer.apply(
          {
            consumerGroup: this.config.kafka.projectorGroupId,
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages.map(({ offset, key, value }) => ({ offset, key, value })),
            highWatermark: batch.highWatermark,
            acceptGap: this.soughtAfterGap.get(batch.partition) !== undefined,
          },
          (letters) => this.deadLetters.publish(batch.topic, batch.partition, letters),
        );
        if (result.kind === 'gap') {
          this.logger.warn(`partition ${batch.partition}: batch starts at ${result.firstOffset} but the projection stands at ${result.expectedOffset}; seeking back`);
          this.soughtAfterGap.set(batch.partition, result.expectedOffset);
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: result.expectedOffset });
          return;
        }
        if (result.kind === 'log_behind_read_model') {
          // A batch fetched before another member applied more of the partition looks behind too: only
          // where the log ends now decides.
          const end = await this.logEndOf(batch.partition);
          if (end < BigInt(result.nextOffset)) {
            this.halt(batch.partition, `the read model has applied partition ${batch.partition} up to offset ${result.nextOffset} but its log ends at ${end}: the topic was deleted or recreated, and its new records would be skipped. Rebuild the read model from the log (npm run rebuild -- --accept-differences) or restore the topic`);
          }
          return;
        }
        this.soughtAfterGap.delete(batch.partition);
        if (result.deadLettered > 0) this.logger.warn(`partition ${batch.partition}: ${result.deadLettered} invalid record(s) sent to ${this.topics.deadLetters}`);
        const last = batch.messages[batch.messages.length - 1];
        if (last) resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
        return;
      } catch (error) {
        this.logger.error(`partition ${batch.partition}: could not apply a batch, retrying in ${backoff} ms: ${(error as Error).message}`);
        await heartbeat().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MS);
      }
    }
  }
}
