import { Injectable } from '@nestjs/common';
import { type Counter } from 'prom-client';
import { InvalidEventError, type LedgerEventType } from '@ledger/events';
import { DeadlineExceededError, ServiceMetrics } from '@ledger/platform';

/**
 * Why an append failed:
 * - `deadline`: the caller's deadline had passed; nothing was sent;
 * - `invalid_event`: the event broke its own schema (a bug: the input contract is checked first);
 * - `timeout`: the broker did not acknowledge within DEPENDENCY_TIMEOUT_MS (the event may still reach the log);
 * - `broker_unavailable`: the producer gave up on the broker.
 */
const APPEND_FAILURES = ['deadline', 'invalid_event', 'timeout', 'broker_unavailable'] as const;
export type AppendFailure = (typeof APPEND_FAILURES)[number];

/** The reason for an append the broker did not acknowledge (the caller's deadline is checked before, and named so there). */
export function appendFailureOf(error: unknown): Exclude<AppendFailure, 'deadline'> {
  if (error instanceof InvalidEventError) return 'invalid_event';
  if (error instanceof DeadlineExceededError) return 'timeout';
  return 'broker_unavailable';
}

/** Hits and misses of one in-memory cache; the hit ratio is hits / (hits + misses). */
export interface CacheCounts {
  hit(): void;
  miss(): void;
}

/** What the ledger counts beside its request durations: the log's appends and its two caches. */
@Injectable()
export class LedgerMetrics {
  readonly stickyRecords: CacheCounts;
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
    this.stickyRecords = countsOf('sticky_records');
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
