import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { READ_MODEL_SCHEMA } from '@ledger/storage';
import { PROJECTION_PROGRESS_CHANNEL, type ProjectionProgressNotice } from '../notices/notice-channels';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger-options';
import { DatabaseNotifications } from '../notices/database-notifications';
import { ProjectionLagError } from '../ledger-errors';

interface Waiter {
  partition: number;
  /** Resolved once the projection's next offset for the partition is at least this. */
  nextOffset: bigint;
  resolve: () => void;
}

/** Fallback when a notification is missed (listener reconnecting): how often pending waiters re-read the positions. */
const POLL_INTERVAL_MS = 100;

/**
 * Knows how far the projector has applied each partition, so a write can answer with its projected
 * outcome (read your writes). Learns it from the projector's NOTIFY on commit, with polling as the fallback.
 */
@Injectable()
export class ProjectionProgress implements OnModuleInit, OnApplicationShutdown {
  private readonly applied = new Map<number, bigint>();
  private readonly waiters = new Set<Waiter>();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    @Inject(LEDGER_OPTIONS) private readonly config: LedgerOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: DatabaseNotifications,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.notifications.subscribe(PROJECTION_PROGRESS_CHANNEL, {
      notice: (payload) => this.onNotice(payload),
      reconnected: () => void this.refresh().catch(() => undefined),
    });
    await this.refresh();
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearTimeout(this.pollTimer);
  }

  /** Resolves once the projection has applied `offset` of `partition`; ProjectionLagError after `timeoutMs`. */
  async waitUntilApplied(partition: number, offset: bigint, timeoutMs: number): Promise<void> {
    return this.waitUntilPosition(partition, offset + 1n, timeoutMs);
  }

  /** Resolves once the projection's next offset for `partition` reaches `nextOffset` (everything before it applied). */
  async waitUntilPosition(partition: number, nextOffset: bigint, timeoutMs: number): Promise<void> {
    if ((this.applied.get(partition) ?? 0n) >= nextOffset) return;
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { partition, nextOffset, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => reject(new ProjectionLagError({ partition, offset: String(nextOffset - 1n) })), timeoutMs);
        this.schedulePoll();
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  private advance(partition: number, nextOffset: bigint): void {
    if (nextOffset <= (this.applied.get(partition) ?? -1n)) return;
    this.applied.set(partition, nextOffset);
    for (const waiter of this.waiters) {
      if (waiter.partition === partition && waiter.nextOffset <= nextOffset) waiter.resolve();
    }
  }

  private async refresh(): Promise<void> {
    const rows: Array<{ log_partition: number; next_offset: string }> = await this.dataSource.query(
      `SELECT log_partition, next_offset FROM ${READ_MODEL_SCHEMA}.projection_positions WHERE consumer_group = $1 AND topic = $2`,
      [this.config.kafka.projectorGroupId, this.config.kafka.topic],
    );
    for (const row of rows) this.advance(row.log_partition, BigInt(row.next_offset));
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (this.waiters.size === 0) return;
      this.refresh()
        .catch(() => undefined)
        .finally(() => this.schedulePoll());
    }, POLL_INTERVAL_MS);
  }

  private onNotice(payload: string): void {
    if (!payload) return;
    const notice = JSON.parse(payload) as ProjectionProgressNotice;
    if (notice.consumerGroup !== this.config.kafka.projectorGroupId || notice.topic !== this.config.kafka.topic) return;
    this.advance(notice.partition, BigInt(notice.nextOffset));
  }
}
