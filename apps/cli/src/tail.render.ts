import { type LedgerEvent } from '@ledger/events';

export interface TailFilter {
  key?: string;
  experiment?: string;
  type?: LedgerEvent['type'];
}

export const matchesFilter = (event: LedgerEvent, filter: TailFilter): boolean =>
  (filter.key === undefined || event.data.persistenceKey === filter.key) &&
  (filter.experiment === undefined || ('configName' in event.data && event.data.configName === filter.experiment)) &&
  (filter.type === undefined || event.type === filter.type);

/** One readable line per event: time, type, key, config, group (or delete reason), event id. */
export function renderEventLine(event: LedgerEvent): string {
  const what =
    event.type === 'StickyValueSaved'
      ? `${event.data.stickyValues.group_name ?? '(no group)'}${event.data.assignment ? ` v${event.data.assignment.experimentVersion}` : ' (sdk save)'}`
      : event.type === 'StickyValueDeleted'
        ? event.data.reason
        : 'every config';
  const config = event.type === 'UnitErased' ? '*' : event.data.configName;
  return [event.metadata.occurredAt, event.type.padEnd(18), event.data.persistenceKey, config, what, event.metadata.eventId].join('  ');
}
