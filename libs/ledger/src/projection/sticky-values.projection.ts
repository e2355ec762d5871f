import { ABSENT, evolve, type ProjectedOutcome, type StickyState } from '@ledger/assignment';
import { decodeLedgerEvent, InvalidEventError, type LedgerEvent } from '@ledger/events';

/** One record as read from a partition of the ledger topic. */
export interface LogRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export type DecodedRecord = { offset: string; event: LedgerEvent } | { offset: string; record: LogRecord; invalid: string };

export interface HistoryEntry {
  event: LedgerEvent;
  offset: string;
  outcome: ProjectedOutcome;
}

export interface DeadLetter {
  record: LogRecord;
  reason: string;
}

/** A read-model row the batch changed: written when held, removed when absent. */
export interface ChangedRow {
  persistenceKey: string;
  configName: string;
  state: StickyState;
  /** Offset of the save that put the value there (when held). */
  savedOffset: string | null;
}

export interface BatchProjection {
  changedRows: ChangedRow[];
  history: HistoryEntry[];
  deadLetters: DeadLetter[];
}

export const pairId = (persistenceKey: string, configName: string): string => JSON.stringify([persistenceKey, configName]);

/** Parses and validates each record; a record that breaks the contract is kept aside with the reason. */
export function decodeRecords(records: LogRecord[]): DecodedRecord[] {
  return records.map((record) => {
    try {
      return { offset: record.offset, event: decodeLedgerEvent(record.value) };
    } catch (error) {
      if (error instanceof InvalidEventError) return { offset: record.offset, record, invalid: error.reason };
      throw error;
    }
  });
}

/** The distinct (persistence key, config name) pairs a batch touches, so their rows load in one query. */
export function touchedPairs(decoded: DecodedRecord[]): Array<[string, string]> {
  const pairs = new Map<string, [string, string]>();
  for (const item of decoded) {
    if ('event' in item) pairs.set(pairId(item.event.data.persistenceKey, item.event.data.configName), [item.event.data.persistenceKey, item.event.data.configName]);
  }
  return [...pairs.values()];
}

/**
 * Folds one partition's batch, in log order, over the states the read model holds now. Pure: the
 * writer loads `current` and writes back what this returns, in one transaction.
 */
export function projectBatch(decoded: DecodedRecord[], current: ReadonlyMap<string, StickyState>): BatchProjection {
  const changed = new Map<string, ChangedRow>();
  const history: HistoryEntry[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const item of decoded) {
    if (!('event' in item)) {
      deadLetters.push({ record: item.record, reason: item.invalid });
      continue;
    }
    const { persistenceKey, configName } = item.event.data;
    const id = pairId(persistenceKey, configName);
    const before = changed.get(id)?.state ?? current.get(id) ?? ABSENT;
    const { state, outcome } = evolve(before, item.event);
    if (outcome === 'saved' || outcome === 'deleted') {
      changed.set(id, { persistenceKey, configName, state, savedOffset: outcome === 'saved' ? item.offset : null });
    }
    history.push({ event: item.event, offset: item.offset, outcome });
  }
  return { changedRows: [...changed.values()], history, deadLetters };
}
