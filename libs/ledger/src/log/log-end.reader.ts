import { Inject, Injectable } from '@nestjs/common';
import { type Admin } from 'kafkajs';
import { BrokerUnavailableError, withDeadline } from '@ledger/platform';
import { KAFKA_ADMIN, LEDGER_TOPICS, type LedgerTopics } from '@ledger/storage';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger-options';

interface Round {
  promise: Promise<Map<number, bigint>>;
  resolve: (ends: Map<number, bigint>) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads where the log ends now, so a reader can wait for the projection to reach it: that is the
 * "caller's read position" a delete is judged at. Concurrent callers share one broker request, but a
 * caller only joins a request sent after it arrived, so no write acknowledged before the call is missed.
 */
@Injectable()
export class LogEndReader {
  private queued: Round | undefined;
  private inFlight = false;

  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(LEDGER_TOPICS) private readonly topics: LedgerTopics,
    @Inject(LEDGER_OPTIONS) private readonly config: LedgerOptions,
  ) {}

  /** The offset the next record of `partition` will get: every record acknowledged so far lies below it. */
  async endOf(partition: number): Promise<bigint> {
    let round = this.queued;
    if (!round) {
      let resolve!: Round['resolve'];
      let reject!: Round['reject'];
      const promise = new Promise<Map<number, bigint>>((res, rej) => ((resolve = res), (reject = rej)));
      round = this.queued = { promise, resolve, reject };
      if (!this.inFlight) this.sendRound();
    }
    const ends = await round.promise;
    return ends.get(partition) ?? 0n;
  }

  private sendRound(): void {
    const round = this.queued!;
    this.queued = undefined;
    this.inFlight = true;
    withDeadline(this.admin.fetchTopicOffsets(this.topics.events), this.config.dependencyTimeoutMs, 'the Kafka broker')
      .then(
        (offsets) => round.resolve(new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]))),
        (error: unknown) => round.reject(new BrokerUnavailableError(`the event log is unavailable: ${(error as Error).message}`)),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.queued) this.sendRound();
      });
  }
}
