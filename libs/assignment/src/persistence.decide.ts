import { type DeleteReason, type LedgerEventData, type StickyValues } from '@ledger/events';
import { type StickyState } from './sticky-state.evolve';

export interface SaveStickyValue {
  type: 'SaveStickyValue';
  persistenceKey: string;
  configName: string;
  stickyValues: StickyValues;
  evaluation?: Record<string, unknown>;
}

export interface DeleteStickyValue {
  type: 'DeleteStickyValue';
  persistenceKey: string;
  configName: string;
  reason: DeleteReason;
}

export type StorageCommand = SaveStickyValue | DeleteStickyValue;

/**
 * What a storage command appends to the log, given the unit's state at the caller's read position.
 * A save is always recorded, even over a held value: the fold marks it superseded (first write wins), and
 * the audit trail shows the attempt. A delete of nothing appends nothing: Statsig's SDK deletes on every
 * evaluation made without persisted values, and those must not flood the log.
 */
export function decide(command: StorageCommand, state: StickyState): LedgerEventData | null {
  switch (command.type) {
    case 'SaveStickyValue':
      return {
        type: 'StickyValueSaved',
        version: 1,
        data: {
          persistenceKey: command.persistenceKey,
          configName: command.configName,
          stickyValues: command.stickyValues,
          ...(command.evaluation ? { evaluation: command.evaluation } : {}),
        },
      };
    case 'DeleteStickyValue':
      if (state.kind === 'absent') return null;
      return {
        type: 'StickyValueDeleted',
        version: 1,
        data: { persistenceKey: command.persistenceKey, configName: command.configName, reason: command.reason },
      };
  }
}
