import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Admin } from 'kafkajs';
import { type Counter } from 'prom-client';
import { ServiceMetrics, withDeadline } from '@ledger/platform';
import { KAFKA_ADMIN, LEDGER_TOPICS, type LedgerTopics } from '@ledger/storage';
import { type ProjectorConfig } from './config';
import { DEAD_LETTER_REASON_CLASSES, deadLetterReasonClass } from './dead-letter-reason';
import { ProjectionLag } from './projection-lag';
import { PROJECTOR_CONFIG } from './projector-config.token';
import { type DeadLetter } from '@ledger/ledger';

/** A scrape waits at most this long for the broker's view of the group; past it that series is left out of the answer. */
const GROUP_LAG_TIMEOUT_MS = 1_000;

/**
 * The projector's series: how far behind its log each partition's projection is (from the batches in hand),
 * how far behind the consumer group's committed offsets are (asked of the broker at scrape time, bounded),
 * and the records it dead-lettered, by kind of reason.
 */
@Injectable()
export class ProjectorMetrics {
  private readonly logger = new Logger(ProjectorMetrics.name);
  readonly lag = new ProjectionLag();
  private readonly deadLetters: Counter<'reason'>;

  constructor(
    metrics: ServiceMetrics,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(LEDGER_TOPICS) private readonly topics: LedgerTopics,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {
    metrics.gauge('projection_lag_records', 'Records between what the projection has applied and the log end, per partition, as of its latest batch', ['partition'], (gauge) => {
      gauge.reset();
      for (const { partition, records } of this.lag.read(Date.now())) gauge.set({ partition: String(partition) }, records);
    });
    metrics.gauge('projection_lag_seconds', "Seconds since the newest applied record's event time, per partition; 0 when nothing is behind", ['partition'], (gauge) => {
      gauge.reset();
      for (const { partition, seconds } of this.lag.read(Date.now())) gauge.set({ partition: String(partition) }, seconds);
    });
    metrics.gauge('consumer_group_lag_records', "Records between the consumer group's committed offset and the log end, per partition (asked of the broker at scrape time)", ['partition'], (gauge) =>
      this.collectGroupLag(gauge),
    );
    this.deadLetters = metrics.counter('dead_letters_total', 'Records sent to the dead-letter topic, by kind of reason', ['reason']);
    for (const reason of DEAD_LETTER_REASON_CLASSES) this.deadLetters.inc({ reason }, 0);
  }

  deadLettered(letters: DeadLetter[]): void {
    for (const { reason } of letters) this.deadLetters.inc({ reason: deadLetterReasonClass(reason) });
  }

  private async collectGroupLag(gauge: { reset(): void; set(labels: { partition: string }, value: number): void }): Promise<void> {
    gauge.reset();
    const { events } = this.topics;
    try {
      const [committed, ends] = await withDeadline(
        Promise.all([this.admin.fetchOffsets({ groupId: this.config.kafka.projectorGroupId, topics: [events] }), this.admin.fetchTopicOffsets(events)]),
        Math.min(GROUP_LAG_TIMEOUT_MS, this.config.dependencyTimeoutMs),
        'the Kafka broker',
      );
      const committedOffsets = new Map((committed.find((entry) => entry.topic === events)?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]));
      for (const end of ends) {
        // No offset committed yet: the whole log from its start is behind.
        const from = committedOffsets.get(end.partition) ?? -1;
        const records = Number(end.high) - (from >= 0 ? from : Number(end.low));
        gauge.set({ partition: String(end.partition) }, Math.max(0, records));
      }
    } catch (error) {
      this.logger.debug(`consumer group lag left out of this scrape: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
