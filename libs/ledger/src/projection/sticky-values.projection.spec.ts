import { encodeLedgerEvent, type LedgerEvent } from '@ledger/events';
import { decodeRecords, pairId, projectBatch, touchedPairs, type LogRecord } from './sticky-values.projection';

let n = 0;
const event = (type: 'save' | 'delete', key: string, group = 'Control'): LedgerEvent => {
  const metadata = {
    eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    occurredAt: '2026-11-25T10:00:00.000Z',
    cause: { source: 'storage_api' as const, apiKeyId: null, requestId: 'req' },
  };
  return type === 'save'
    ? {
        type: 'StickyValueSaved',
        version: 2,
        data: {
          persistenceKey: key,
          configName: 'exp',
          stickyValues: {
            value: true,
            json_value: {},
            rule_id: group,
            group_name: group,
            secondary_exposures: [],
            undelegated_secondary_exposures: null,
            config_delegate: null,
            explicit_parameters: null,
            time: null,
            config_version: 2,
          },
        },
        metadata,
      }
    : { type: 'StickyValueDeleted', version: 2, data: { persistenceKey: key, configName: 'exp', reason: 'explicit' }, metadata };
};
const records = (...items: Array<LedgerEvent | string>): LogRecord[] =>
  items.map((item, index) => ({
    offset: String(100 + index),
    key: null,
    value: typeof item === 'string' ? Buffer.from(item) : encodeLedgerEvent(item),
  }));

describe('projecting a batch', () => {
  it('sets aside a record that breaks the contract with its reason and applies the rest in order', () => {
    const decoded = decodeRecords(records(event('save', 'a:userID'), '{"type":"Nonsense"}', event('save', 'b:userID')));
    const projection = projectBatch(decoded, new Map());
    expect(projection.deadLetters).toEqual([{ record: expect.objectContaining({ offset: '101' }), reason: expect.stringContaining('unknown event type') }]);
    expect(projection.changedRows.map((row) => [row.persistenceKey, row.savedOffset])).toEqual([
      ['a:userID', '100'],
      ['b:userID', '102'],
    ]);
  });

  it('records a save over a held value as superseded and changes no row', () => {
    const decoded = decodeRecords(records(event('save', 'a:userID', 'Test')));
    const held = new Map([[pairId('a:userID', 'exp'), { kind: 'held' as const, stickyValues: {} as never, savedEventId: 'x', savedAt: 'y', assignment: null }]]);
    const projection = projectBatch(decoded, held);
    expect(projection.history.map((entry) => entry.outcome)).toEqual(['superseded']);
    expect(projection.changedRows).toEqual([]);
  });

  it('keeps only the final state of a pair touched several times in one batch', () => {
    const decoded = decodeRecords(records(event('save', 'a:userID'), event('delete', 'a:userID'), event('delete', 'a:userID')));
    const projection = projectBatch(decoded, new Map());
    expect(projection.history.map((entry) => entry.outcome)).toEqual(['saved', 'deleted', 'absent']);
    expect(projection.changedRows).toEqual([{ persistenceKey: 'a:userID', configName: 'exp', state: { kind: 'absent' }, savedOffset: null }]);
    expect(touchedPairs(decoded)).toEqual([['a:userID', 'exp']]);
  });
});
