import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { type Admin, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type DependencyProbe } from '@ledger/platform';
import { KAFKA, KAFKA_ADMIN, LEDGER_TOPICS, type LedgerTopics } from '@ledger/storage';
import { type ProjectorConfig } from './config';
import { type BatchResult, classifyBatchFailure, type PartitionBatch, StickyValuesWriter } from '@ledger/ledger';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { PROJECTOR_CONFIG } from './projector-config.token';
import { ProjectorMetrics } from './projector-metrics';

const RETRY_BACKOFF_MIN_MS = 200;
const PROJECTOR_SESSION_TIMEOUT_MS = 10_000;
const PARTITIONS_IN_PARALLEL = 3;
const RETRY_BACKOFF_MAX_MS = 5_000;
/** Attempts at a batch that fails for another reason than an outage before its partition is paused for a while. */
const ATTEMPTS_BEFORE_PAUSING = 3;
const PAUSE_AFTER_FAILURES_MS = 10_000;

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
  /** Partitions paused after repeated failures, and why, until their next attempt. */
  private readonly retrying = new Map<number, string>();
  /** Records between each partition's projection and its log end, as of its last batch. */
  private readonly lag = new Map<number, bigint>();

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(LEDGER_TOPICS) private readonly topics: LedgerTopics,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    private readonly writer: StickyValuesWriter,
    private readonly metrics: ProjectorMetrics,
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
      const assigned = payload.memberAssignment[this.topics.events] ?? [];
      // What readiness says of a partition is this member's to say only while it holds the partition.
      for (const partition of [...this.retrying.keys(), ...this.lag.keys()]) {
        if (!assigned.includes(partition)) this.forget(partition);
      }
      void this.seekToStoredPositions(assigned);
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      // Partitions are independent (each has its own position row), so their batches may commit side by side.
      partitionsConsumedConcurrently: PARTITIONS_IN_PARALLEL,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Readiness: down while any partition is halted, paused after failures, or further behind its log end than the bound. */
  readonly projectionProbe: DependencyProbe = {
    name: 'projection',
    check: async () => {
      const behind = [...this.lag].filter(([, records]) => records > BigInt(this.config.maxLagRecords));
      const problems = [
        ...this.halted.values(),
        ...[...this.retrying].map(([partition, reason]) => `partition ${partition} is paused after failing: ${reason}`),
        ...behind.map(([partition, records]) => `partition ${partition} is ${records} records behind its log end (bound ${this.config.maxLagRecords})`),
      ];
      if (problems.length > 0) throw new Error(problems.join('; '));
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
    const partitionBatch: PartitionBatch = {
      consumerGroup: this.config.kafka.projectorGroupId,
      topic: batch.topic,
      partition: batch.partition,
      records: batch.messages.map(({ offset, key, value }) => ({ offset, key, value })),
      highWatermark: batch.highWatermark,
      acceptGap: this.soughtAfterGap.get(batch.partition) !== undefined,
    };
    const publish = async (letters: Parameters<DeadLetterPublisher['publish']>[2]) => {
      await this.deadLetters.publish(batch.topic, batch.partition, letters);
      this.metrics.deadLettered(letters);
    };
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    // Record times are the events' occurredAt (the ledger sets them so): what the lag in seconds is measured from.
    if (first) this.metrics.lag.fetched(batch.partition, batch.highWatermark, first.offset, Number(first.timestamp));
    let backoff = RETRY_BACKOFF_MIN_MS;
    let failures = 0;
    while (isRunning() && !isStale()) {
      try {
        const result = await this.writer.applyBatch(partitionBatch, publish);
        await this.settle(result, partitionBatch, last && Number(last.timestamp), resolveOffset, commitOffsetsIfNecessary, heartbeat);
        return;
      } catch (error) {
        const failure = classifyBatchFailure(error);
        failures += 1;
        // The fetch loop waits for every batch in hand: a partition that keeps failing steps aside for a while.
        const pausing = failure !== 'unavailable' && failures >= ATTEMPTS_BEFORE_PAUSING;
        const next = pausing ? `pausing the partition for ${PAUSE_AFTER_FAILURES_MS} ms` : `retrying in ${backoff} ms`;
        const message = `partition ${batch.partition}: could not apply a batch (${failure}), ${next}: ${(error as Error).message}`;
        if (failure === 'unavailable') this.logger.warn(message);
        else this.logger.error(message);
        if (pausing) {
          this.pauseAfterFailures(batch.partition, partitionBatch.records[0]?.offset, (error as Error).message);
          return;
        }
        await heartbeat().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MS);
      }
    }
  }

  private async settle(
    result: BatchResult,
    batch: PartitionBatch,
    newestRecordAt: number | undefined,
    resolveOffset: EachBatchPayload['resolveOffset'],
    commitOffsetsIfNecessary: EachBatchPayload['commitOffsetsIfNecessary'],
    heartbeat: EachBatchPayload['heartbeat'],
  ): Promise<void> {
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
        this.halt(
          batch.partition,
          `the read model has applied partition ${batch.partition} up to offset ${result.nextOffset} but its log ends at ${end}: the topic was deleted or recreated, and its new records would be skipped. Rebuild the read model from the log (npm run rebuild -- --accept-differences) or restore the topic`,
        );
      }
      return;
    }
    this.soughtAfterGap.delete(batch.partition);
    this.retrying.delete(batch.partition);
    this.noteLag(batch.partition, BigInt(batch.highWatermark) - BigInt(result.nextOffset));
    if (newestRecordAt !== undefined) this.metrics.lag.applied(batch.partition, batch.highWatermark, result.nextOffset, newestRecordAt);
    if (result.deadLettered > 0) this.logger.warn(`partition ${batch.partition}: ${result.deadLettered} invalid record(s) sent to ${this.topics.deadLetters}`);
    const last = batch.records[batch.records.length - 1];
    if (last) resolveOffset(last.offset);
    await commitOffsetsIfNecessary();
    await heartbeat();
  }

  private noteLag(partition: number, records: bigint): void {
    const bound = BigInt(this.config.maxLagRecords);
    const before = this.lag.get(partition) ?? 0n;
    if (records > bound && before <= bound) this.logger.warn(`partition ${partition}: the projection is ${records} records behind its log end (bound ${bound})`);
    if (records <= bound && before > bound) this.logger.log(`partition ${partition}: the projection is within ${bound} records of its log end again`);
    this.lag.set(partition, records < 0n ? 0n : records);
  }

  private forget(partition: number): void {
    this.retrying.delete(partition);
    this.lag.delete(partition);
    this.metrics.lag.forget(partition);
  }

  /** Steps a failing partition aside (its batch is fetched again when it resumes), so the others go on. */
  private pauseAfterFailures(partition: number, firstOffset: string | undefined, reason: string): void {
    this.retrying.set(partition, reason);
    const topic = this.topics.events;
    if (firstOffset !== undefined) this.consumer.seek({ topic, partition, offset: firstOffset });
    this.consumer.pause([{ topic, partitions: [partition] }]);
    setTimeout(() => {
      if (!this.halted.has(partition)) this.consumer.resume([{ topic, partitions: [partition] }]);
    }, PAUSE_AFTER_FAILURES_MS).unref();
  }
}
