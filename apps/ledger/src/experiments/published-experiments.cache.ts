import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DatabaseNotifications, EXPERIMENT_PUBLISHED_CHANNEL } from '@ledger/ledger';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { type PublishedExperiment } from './experiments.repository';

/**
 * Longest a cached version is trusted without hearing from Postgres: a guard against a connection that
 * looks alive but has stopped delivering; publications themselves evict at once.
 */
const MAX_AGE_MS = 30_000;

interface Entry<T> {
  value: Promise<T>;
  loadedAt: number;
}

/**
 * The latest version of each experiment, kept in memory: every evaluation needs it, and it changes only
 * when someone publishes. Each ledger instance hears a publication through Postgres NOTIFY and drops its
 * copy; while that connection is down nothing is cached.
 */
@Injectable()
export class PublishedExperimentsCache implements OnModuleInit {
  private readonly latest = new Map<string, Entry<PublishedExperiment | undefined>>();
  private allActive: Entry<PublishedExperiment[]> | undefined;

  private readonly counts: LedgerMetrics['publishedExperiments'];

  constructor(
    private readonly notifications: DatabaseNotifications,
    metrics: LedgerMetrics,
  ) {
    this.counts = metrics.publishedExperiments;
  }

  async onModuleInit(): Promise<void> {
    await this.notifications.subscribe(EXPERIMENT_PUBLISHED_CHANNEL, {
      notice: (name) => this.published(name),
      reconnected: () => this.clear(),
    });
  }

  /**
   * Drops what a publication of `name` made stale. The publishing instance calls this itself once the
   * version is committed, before it answers, so its own next read sees the version it just published
   * instead of waiting for the notice to come back; other instances wait for the notice.
   */
  published(name: string): void {
    this.latest.delete(name);
    this.allActive = undefined;
  }

  latestOf(name: string, load: () => Promise<PublishedExperiment | undefined>): Promise<PublishedExperiment | undefined> {
    if (!this.notifications.listening) {
      this.counts.miss();
      return load();
    }
    const cached = this.latest.get(name);
    if (cached && isYoung(cached)) {
      this.counts.hit();
      return cached.value;
    }
    this.counts.miss();
    // Stored before it settles, so concurrent callers share one load; a notice arriving meanwhile deletes
    // it, so a load begun before a publication never outlives it.
    const entry = { value: load(), loadedAt: Date.now() };
    this.latest.set(name, entry);
    // Failures are not kept, nor unknown names: there is no bound on how many a caller can make up.
    const forget = () => void (this.latest.get(name) === entry && this.latest.delete(name));
    entry.value.then((found) => found ?? forget(), forget);
    return entry.value;
  }

  active(load: () => Promise<PublishedExperiment[]>): Promise<PublishedExperiment[]> {
    if (!this.notifications.listening) {
      this.counts.miss();
      return load();
    }
    if (this.allActive && isYoung(this.allActive)) {
      this.counts.hit();
      return this.allActive.value;
    }
    this.counts.miss();
    const entry = { value: load(), loadedAt: Date.now() };
    this.allActive = entry;
    entry.value.catch(() => void (this.allActive === entry && (this.allActive = undefined)));
    return entry.value;
  }

  private clear(): void {
    this.latest.clear();
    this.allActive = undefined;
  }
}

const isYoung = (entry: Entry<unknown>): boolean => Date.now() - entry.loadedAt < MAX_AGE_MS;
