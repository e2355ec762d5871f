import { DatabaseUnavailableError, withDeadline } from '@ledger/platform';
import { isDatabaseUnavailable } from './is-database-unavailable';

/**
 * Runs a database call within `timeoutMs`. An unreachable or stopping database (or the deadline) becomes a
 * DatabaseUnavailableError (503) saying what could not be served; any other error is a bug and passes through.
 */
export async function boundedDatabaseCall<T>(work: () => Promise<T>, timeoutMs: number, unavailable: string): Promise<T> {
  try {
    return await withDeadline(work(), timeoutMs, 'the database');
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw new DatabaseUnavailableError(`${unavailable}: ${(error as Error).message}`);
    throw error;
  }
}
