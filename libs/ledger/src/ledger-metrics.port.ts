import { type LedgerEventType, InvalidEventError } from '@ledger/events';
import { DeadlineExceededError } from '@ledger/platform';

/**
 * Why an append failed:
 * - `deadline`: the caller's deadline had passed; nothing was sent;
 * - `invalid_event`: the event broke its own schema (a bug: the input contract is checked first);
 * - `timeout`: the broker did not acknowledge within DEPENDENCY_TIMEOUT_MS (the event may still reach the log);
 * - `broker_unavailable`: the producer gave up on the broker.
 */
export const APPEND_FAILURES = ['deadline', 'invalid_event', 'timeout', 'broker_unavailable'] as const;
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

/** What the ledger module counts; the service binds its metrics to this token. */
export interface LedgerActivityMetrics {
  readonly stickyStates: CacheCounts;
  appendSucceeded(type: LedgerEventType): void;
  appendFailed(reason: AppendFailure): void;
}

export const LEDGER_METRICS = Symbol('LEDGER_METRICS');
