import { type StickyState } from '@ledger/assignment';
import { type AssignmentRecord, currentEventOf, type StickyValues } from '@ledger/events';

/** A read-model row of a held value, joined with the history row of the save that put it there. */
export interface HeldStateRow {
  sticky_values: StickyValues;
  saved_event_id: string;
  saved_at: Date;
  /** The version the history recorded the saving event in (1 when projected before version 2 existed). */
  saved_event_version: number | null;
  /** Version 2: the event's `assignment` block (or null); version 1: the whole event, to be upcast. */
  saved_why: unknown;
}

/** The columns and join that read a held value with why it was saved; `s` is sticky_values, `h` the history. */
export const heldStateSelect = (schema: string): { columns: string; join: string } => ({
  columns: `s.sticky_values, s.saved_event_id, s.saved_at, h.event_version AS saved_event_version,
            CASE WHEN h.event_version = 1 THEN h.event ELSE h.event->'data'->'assignment' END AS saved_why`,
  join: `LEFT JOIN ${schema}.sticky_value_history h ON h.event_id = s.saved_event_id`,
});

/** The state a row holds; a value saved under version 1 reads through the upcaster, as version 2 would have it. */
export function heldStateOf(row: HeldStateRow): StickyState {
  return {
    kind: 'held',
    stickyValues: row.sticky_values,
    savedEventId: row.saved_event_id,
    savedAt: row.saved_at.toISOString(),
    assignment: assignmentOf(row),
  };
}

function assignmentOf(row: HeldStateRow): AssignmentRecord | null {
  if (row.saved_why === null || row.saved_why === undefined) return null;
  if (row.saved_event_version !== 1) return row.saved_why as AssignmentRecord;
  const saved = currentEventOf(row.saved_why);
  return saved.type === 'StickyValueSaved' ? (saved.data.assignment ?? null) : null;
}
