import { type Provider } from '@nestjs/common';
import { StickyValuesLedger } from './commands/sticky-values.ledger';
import { LEDGER_OPTIONS, type LedgerOptions } from './ledger-options';
import { LogEndReader } from './log/log-end.reader';
import { DatabaseNotifications } from './notices/database-notifications';
import { StickyStatesCache } from './notices/sticky-states.cache';
import { ProjectionProgress } from './projection/projection-progress';
import { ExperimentAssignmentsReads } from './read-model/experiment-assignments.reads';
import { StickyValuesReads } from './read-model/sticky-values.reads';

/**
 * What a service that writes and reads the ledger provides: the command handler and what it stands on.
 * The service binds LEDGER_METRICS to its metrics; the infrastructure module gives the Kafka and database clients.
 */
export function stickyValuesLedgerProviders(options: LedgerOptions): Provider[] {
  return [
    { provide: LEDGER_OPTIONS, useValue: options },
    DatabaseNotifications,
    StickyValuesReads,
    ExperimentAssignmentsReads,
    StickyStatesCache,
    ProjectionProgress,
    LogEndReader,
    StickyValuesLedger,
  ];
}
