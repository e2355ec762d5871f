import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type StickyState } from '@ledger/assignment';
import { type CacheCounts, LEDGER_METRICS, type LedgerActivityMetrics } from '../ledger-metrics.port';
import { DatabaseNotifications } from './database-notifications';
import { PROJECTION_PROGRESS_CHANNEL, type ProjectionProgressNotice, READ_MODEL_REPLACED_CHANNEL } from './notice-channels';

/** Most states kept; past it the cache starts again empty (a bound on memory, not an eviction policy). */
const MAX_RECORDS = 200_000;

/**
 * Units' sticky states as the read model holds them, for evaluation, where a sticky hit would otherwise
 * spend most of its time on one database round trip. Every projected batch names the keys it touched
 * (or, when too many, its partition), and the ledger hears it on commit, on the same connection that tells
 * writers their write is applied: so this instance never answers from a state older than a write it has
 * acknowledged. A write acknowledged by another instance reaches this one when its notice does (well under
 * a millisecond on one network); storage `load` does not use this cache and reads the read model directly.
 */
@Injectable()
export class StickyStatesCache implements OnModuleInit {
  /** persistence key -> its partition and its states by config name. */
  private readonly byKey = new Map<string, { partition: number; configs: Map<string, StickyState> }>();
  private readonly keysByPartition = new Map<number, Set<string>>();
  /** Notices seen per partition: a load that saw one arrive meanwhile may hold stale rows, and is not kept. */
  private readonly epochs = new Map<number, number>();
  private generation = 0;
  private size = 0;

  private readonly counts: CacheCounts;

  constructor(
    private readonly notifications: DatabaseNotifications,
    @Inject(LEDGER_METRICS) metrics: LedgerActivityMetrics,
  ) {
    this.counts = metrics.stickyStates;
  }

  async onModuleInit(): Promise<void> {
    await this.notifications.subscribe(PROJECTION_PROGRESS_CHANNEL, { notice: (payload) => this.onProgress(payload), reconnected: () => this.clear() });
    await this.notifications.subscribe(READ_MODEL_REPLACED_CHANNEL, { notice: () => this.clear(), reconnected: () => this.clear() });
  }

  /** `partitionOf` is asked only on a miss: hashing the key is a good part of a hit's cost. */
  async stateOf(persistenceKey: string, configName: string, partitionOf: () => number, load: () => Promise<StickyState>): Promise<StickyState> {
    if (!this.notifications.listening) {
      this.counts.miss();
      return load();
    }
    const cached = this.byKey.get(persistenceKey)?.configs.get(configName);
    if (cached) {
      this.counts.hit();
      return cached;
    }
    this.counts.miss();
    const partition = partitionOf();
    const epoch = this.epochs.get(partition) ?? 0;
    const generation = this.generation;
    const state = await load();
    if (this.notifications.listening && this.generation === generation && (this.epochs.get(partition) ?? 0) === epoch) this.store(partition, persistenceKey, configName, state);
    return state;
  }

  private store(partition: number, persistenceKey: string, configName: string, state: StickyState): void {
    if (this.size >= MAX_RECORDS) this.clear();
    let entry = this.byKey.get(persistenceKey);
    if (!entry) {
      this.byKey.set(persistenceKey, (entry = { partition, configs: new Map() }));
      let keys = this.keysByPartition.get(partition);
      if (!keys) this.keysByPartition.set(partition, (keys = new Set()));
      keys.add(persistenceKey);
    }
    if (!entry.configs.has(configName)) this.size += 1;
    entry.configs.set(configName, state);
  }

  private onProgress(payload: string): void {
    const notice = JSON.parse(payload) as ProjectionProgressNotice;
    this.epochs.set(notice.partition, (this.epochs.get(notice.partition) ?? 0) + 1);
    const keys = this.keysByPartition.get(notice.partition);
    if (!keys) return;
    for (const persistenceKey of notice.changedKeys ?? [...keys]) {
      if (!keys.delete(persistenceKey)) continue;
      this.size -= this.byKey.get(persistenceKey)?.configs.size ?? 0;
      this.byKey.delete(persistenceKey);
    }
  }

  private clear(): void {
    this.byKey.clear();
    this.keysByPartition.clear();
    this.size = 0;
    this.generation += 1;
  }
}
