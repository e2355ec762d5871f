import { Injectable } from '@nestjs/common';
import { type Counter } from 'prom-client';
import { type LedgerEventType } from '@ledger/events';
import { APPEND_FAILURES, type AppendFailure, type CacheCounts, type LedgerActivityMetrics } from '@ledger/ledger';
import { ServiceMetrics } from '@ledger/platform';

/** What the ledger counts beside its request durations: the log's appends and its two caches. */
@Injectable()
export class LedgerMetrics implements LedgerActivityMetrics {
  readonly stickyStates: CacheCounts;
  readonly publishedExperiments: CacheCounts;
  private readonly appendedByType = new Map<string, Counter.Internal>();
  private readonly appended: Counter<'type'>;
  private readonly failed: Counter<'reason'>;

  constructor(metrics: ServiceMetrics) {
    this.appended = metrics.counter('events_appended_total', 'Events the broker acknowledged, by event type', ['type']);
    this.failed = metrics.counter('appends_failed_total', 'Appends that did not reach the log or were not acknowledged in time, by reason', ['reason']);
    for (const reason of APPEND_FAILURES) this.failed.inc({ reason }, 0);
    const lookups = metrics.counter('cache_lookups_total', 'In-memory cache lookups, by cache and result (hit or miss)', ['cache', 'result']);
    const countsOf = (cache: string): CacheCounts => {
      const hits = lookups.labels({ cache, result: 'hit' });
      const misses = lookups.labels({ cache, result: 'miss' });
      // Shown as 0 from the start, so a ratio is defined before the first miss.
      hits.inc(0);
      misses.inc(0);
      return { hit: () => hits.inc(), miss: () => misses.inc() };
    };
    this.stickyStates = countsOf('sticky_records');
    this.publishedExperiments = countsOf('published_experiments');
  }

  appendSucceeded(type: LedgerEventType): void {
    let series = this.appendedByType.get(type);
    if (series === undefined) this.appendedByType.set(type, (series = this.appended.labels({ type })));
    series.inc();
  }

  appendFailed(reason: AppendFailure): void {
    this.failed.inc({ reason });
  }
}
