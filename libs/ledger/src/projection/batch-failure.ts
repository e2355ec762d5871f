import { isDatabaseUnavailable } from '@ledger/storage';

/**
 * What a failed batch means for the projection:
 * - `unavailable`: the database or the broker cannot be reached, or the group is rebalancing; every partition
 *   waits alike, so the batch is retried in place (until a rebalance makes it stale);
 * - `transient`: the database refused this attempt (serialization failure, deadlock, a lock not granted);
 *   retried with backoff, with the partition paused so the others go on;
 * - `record`: Postgres refused the data itself (SQLSTATE class 22, a data exception, or 54, a program limit);
 *   the same record fails on every replay, so it is applied alone and, if it fails alone, dead-lettered;
 * - `unknown`: anything else (a bug); treated as transient and logged as an error.
 * A pure function of the error, so a rebuild takes the same decision on the same record.
 */
export type BatchFailure = 'unavailable' | 'transient' | 'record' | 'unknown';

const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '55006']);

export function classifyBatchFailure(error: unknown): BatchFailure {
  if (isDatabaseUnavailable(error) || (error instanceof Error && error.name.startsWith('KafkaJS'))) return 'unavailable';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'unknown';
  if (TRANSIENT_SQLSTATES.has(code)) return 'transient';
  if (/^(22|54)/.test(code)) return 'record';
  return 'unknown';
}

/** How the reason of a record Postgres refused begins. */
export const REFUSED_BY_READ_MODEL = 'the read model refused the record';

/** The reason a dead letter carries for a record Postgres refused. */
export function refusalReason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return `${REFUSED_BY_READ_MODEL} (SQLSTATE ${String(code)}): ${String(message)}`;
}
