import { type AssignmentRecord, type LedgerEvent, type StickyValues } from '@ledger/events';

/**
 * What the log says one unit holds for one config: the sticky value, the save that put it there and, when
 * an evaluation on the ledger decided it, why (null when an SDK saved it through the storage API).
 */
export type StickyState = { kind: 'absent' } | { kind: 'held'; stickyValues: StickyValues; savedEventId: string; savedAt: string; assignment: AssignmentRecord | null };

export const ABSENT: StickyState = { kind: 'absent' };

/**
 * What an event did to the read model; recorded beside it so the audit trail can say so. An erasure leaves
 * no entry (it removes the unit's history), so `erased` is only ever the fold's answer.
 */
export type ProjectedOutcome = 'saved' | 'superseded' | 'deleted' | 'absent' | 'erased';

export interface Evolution {
  state: StickyState;
  outcome: ProjectedOutcome;
}

/**
 * Folds one event into a unit's state for one config. A pure function of the log, so a rebuild
 * reproduces the read model exactly.
 */
export function evolve(state: StickyState, event: LedgerEvent): Evolution {
  switch (event.type) {
    case 'StickyValueSaved':
      // First write wins: two servers racing on a unit's first evaluation agree on the earlier one in the log.
      if (state.kind === 'held') return { state, outcome: 'superseded' };
      return {
        state: { kind: 'held', stickyValues: event.data.stickyValues, savedEventId: event.metadata.eventId, savedAt: event.metadata.occurredAt, assignment: event.data.assignment ?? null },
        outcome: 'saved',
      };
    case 'StickyValueDeleted':
      return state.kind === 'held' ? { state: ABSENT, outcome: 'deleted' } : { state, outcome: 'absent' };
    case 'UnitErased':
      // Every config of the unit: whatever it held is forgotten, and a later save starts anew.
      return { state: ABSENT, outcome: 'erased' };
  }
}

/** Folds a sequence of one unit's events for one config, in log order. */
export function foldEvents(events: Iterable<LedgerEvent>, initial: StickyState = ABSENT): StickyState {
  let state = initial;
  for (const event of events) state = evolve(state, event).state;
  return state;
}
