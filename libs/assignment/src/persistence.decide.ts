import { type AssignmentRecord, type DeleteReason, type LedgerEventData, type StickyValues } from '@ledger/events';
import { type StickyState } from './sticky-state.evolve';

export interface SaveStickyValue {
  type: 'SaveStickyValue';
  persistenceKey: string;
  configName: string;
  stickyValues: StickyValues;
  /** How an evaluation on the ledger decided the value; absent when an SDK saves through the storage API. */
  assignment?: AssignmentRecord;
}

export interface DeleteStickyValue {
  type: 'DeleteStickyValue';
  persistenceKey: string;
  configName: string;
  reason: DeleteReason;
}

/** Forget a unit: its values in every config and its history (a data subject's erasure request). */
export interface EraseUnit {
  type: 'EraseUnit';
  persistenceKey: string;
}

export type StorageCommand = SaveStickyValue | DeleteStickyValue;

/** An erasure is always recorded, held values or not: the request itself is what the operator must be able to show. */
export function decideErasure(command: EraseUnit): LedgerEventData {
  return { type: 'UnitErased', version: 1, data: { persistenceKey: command.persistenceKey } };
}

/**
 * What a storage command appends to the log, given the unit's state at the caller's read position.
 * A save over a value the read model already holds appends nothing: the answer is that value. A save over
 * absence is recorded even though another may be racing it: the fold settles first-write-wins in log order.
 * A delete of nothing appends nothing: Statsig's SDK deletes on every evaluation made without persisted
 * values, and those must not flood the log.
 */
export function decide(command: StorageCommand, state: StickyState): LedgerEventData | null {
  switch (command.type) {
    case 'SaveStickyValue':
      if (state.kind === 'held') return null;
      return {
        type: 'StickyValueSaved',
        version: 2,
        data: {
          persistenceKey: command.persistenceKey,
          configName: command.configName,
          stickyValues: command.stickyValues,
          ...(command.assignment ? { assignment: command.assignment } : {}),
        },
      };
    case 'DeleteStickyValue':
      if (state.kind === 'absent') return null;
      return {
        type: 'StickyValueDeleted',
        version: 2,
        data: { persistenceKey: command.persistenceKey, configName: command.configName, reason: command.reason },
      };
  }
}
