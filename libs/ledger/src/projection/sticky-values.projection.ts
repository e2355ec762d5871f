import { ABSENT, evolve, type ProjectedOutcome, type StickyState } from '@ledger/assignment';
import { decodeLedgerEvent, InvalidEventError, type LedgerEvent, type StickyValueEvent } from '@ledger/events';

/** One record as read from a partition of the ledger topic. */
export interface LogRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export type DecodedRecord = { offset: string; event: LedgerEvent } | { offset: string; record: LogRecord; invalid: string };

export interface HistoryEntry {
  event: StickyValueEvent;
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

/** Sticky units an experiment's group gained (positive) or lost, as one batch changed them. */
export interface GroupUnitsDelta {
  configName: string;
  /** The sticky value's group_name; '' for a value without one (a gate or a layer an SDK saved). */
  groupName: string;
  units: number;
}

/** Saves that took effect and deletes of held values, per experiment and UTC day of the event. */
export interface DailyActivity {
  configName: string;
  day: string;
  saves: number;
  deletes: number;
}

export interface BatchProjection {
  changedRows: ChangedRow[];
  history: HistoryEntry[];
  deadLetters: DeadLetter[];
  /**
   * Units the batch erased: the writer removes their rows and history (and counts the units it removes)
   * before writing the rest, so nothing of an erased unit before its erasure survives, in this batch or before.
   */
  erasedKeys: string[];
  groupUnits: GroupUnitsDelta[];
  dailyActivity: DailyActivity[];
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
    if (!('event' in item) || item.event.type === 'UnitErased') continue;
    pairs.set(pairId(item.event.data.persistenceKey, item.event.data.configName), [item.event.data.persistenceKey, item.event.data.configName]);
  }
  return [...pairs.values()];
}

/** The persistence keys a batch's events name, erased ones included: what caches of the read model must drop. */
export function touchedKeys(decoded: DecodedRecord[]): string[] {
  const keys = new Set<string>();
  for (const item of decoded) if ('event' in item) keys.add(item.event.data.persistenceKey);
  return [...keys];
}

const groupOf = (state: StickyState): string => (state.kind === 'held' ? (state.stickyValues.group_name ?? '') : '');

/**
 * Folds one partition's batch, in log order, over the states the read model holds now. Pure: the
 * writer loads `current` and writes back what this returns, in one transaction. What it returns does not
 * depend on where batches begin and end, so a rebuild reproduces the live read model, counters included.
 */
export function projectBatch(decoded: DecodedRecord[], current: ReadonlyMap<string, StickyState>): BatchProjection {
  const changed = new Map<string, ChangedRow>();
  let history: HistoryEntry[] = [];
  const deadLetters: DeadLetter[] = [];
  const erased = new Set<string>();
  let unitDeltas: Array<GroupUnitsDelta & { persistenceKey: string }> = [];
  const daily = new Map<string, DailyActivity>();
  for (const item of decoded) {
    if (!('event' in item)) {
      deadLetters.push({ record: item.record, reason: item.invalid });
      continue;
    }
    const event = item.event;
    if (event.type === 'UnitErased') {
      // What the batch did to the unit so far goes with it; the writer erases what earlier batches wrote.
      const erasedKey = event.data.persistenceKey;
      erased.add(erasedKey);
      for (const [id, row] of changed) if (row.persistenceKey === erasedKey) changed.delete(id);
      history = history.filter((entry) => entry.event.data.persistenceKey !== erasedKey);
      unitDeltas = unitDeltas.filter((delta) => delta.persistenceKey !== erasedKey);
      continue;
    }
    const { persistenceKey, configName } = event.data;
    const id = pairId(persistenceKey, configName);
    const before = changed.get(id)?.state ?? (erased.has(persistenceKey) ? ABSENT : (current.get(id) ?? ABSENT));
    const { state, outcome } = evolve(before, event);
    if (outcome === 'saved' || outcome === 'deleted') {
      changed.set(id, { persistenceKey, configName, state, savedOffset: outcome === 'saved' ? item.offset : null });
      unitDeltas.push({ persistenceKey, configName, groupName: groupOf(outcome === 'saved' ? state : before), units: outcome === 'saved' ? 1 : -1 });
      const day = event.metadata.occurredAt.slice(0, 10);
      const dayId = pairId(configName, day);
      const activity = daily.get(dayId) ?? { configName, day, saves: 0, deletes: 0 };
      if (outcome === 'saved') activity.saves += 1;
      else activity.deletes += 1;
      daily.set(dayId, activity);
    }
    history.push({ event, offset: item.offset, outcome });
  }
  return { changedRows: [...changed.values()], history, deadLetters, erasedKeys: [...erased], groupUnits: sumGroupUnits(unitDeltas), dailyActivity: [...daily.values()] };
}

/** One delta per experiment and group (Postgres cannot upsert one row twice in a statement). */
export function sumGroupUnits(deltas: GroupUnitsDelta[]): GroupUnitsDelta[] {
  const sums = new Map<string, GroupUnitsDelta>();
  for (const { configName, groupName, units } of deltas) {
    const id = pairId(configName, groupName);
    const sum = sums.get(id) ?? { configName, groupName, units: 0 };
    sum.units += units;
    sums.set(id, sum);
  }
  return [...sums.values()].filter((sum) => sum.units !== 0);
}
