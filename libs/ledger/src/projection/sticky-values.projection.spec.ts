import { stickyValueFor } from '@ledger/testing';
import { encodeLedgerEvent, type LedgerEvent } from '@ledger/events';
import { decodeRecords, pairId, projectBatch, touchedKeys, touchedPairs, type LogRecord } from './sticky-values.projection';

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
          stickyValues: { ...stickyValueFor(group, 2), json_value: {}, rule_id: group, time: null },
        },
        metadata,
      }
    : { type: 'StickyValueDeleted', version: 2, data: { persistenceKey: key, configName: 'exp', reason: 'explicit' }, metadata };
};
const erased = (key: string): LedgerEvent => ({
  type: 'UnitErased',
  version: 1,
  data: { persistenceKey: key },
  metadata: { eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, occurredAt: '2026-11-26T10:00:00.000Z', cause: { source: 'storage_api', apiKeyId: null, requestId: 'req' } },
});
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

  it('given a unit erased in the batch, drops what the batch did to it before the erasure and starts it anew after', () => {
    const heldBefore = new Map([[pairId('a:userID', 'exp'), { kind: 'held' as const, stickyValues: { group_name: 'Control' } as never, savedEventId: 'x', savedAt: 'y', assignment: null }]]);
    const decoded = decodeRecords(records(event('save', 'b:userID'), event('delete', 'a:userID'), erased('a:userID'), event('delete', 'a:userID'), event('save', 'a:userID', 'Test')));
    const projection = projectBatch(decoded, heldBefore);
    expect(projection.erasedKeys).toEqual(['a:userID']);
    // The delete before the erasure leaves nothing; the one after finds nothing held; the save starts a new history.
    expect(projection.history.map((entry) => [entry.event.data.persistenceKey, entry.outcome])).toEqual([
      ['b:userID', 'saved'],
      ['a:userID', 'absent'],
      ['a:userID', 'saved'],
    ]);
    expect(projection.changedRows.map((row) => [row.persistenceKey, row.state.kind === 'held' && row.state.stickyValues.group_name])).toEqual([
      ['b:userID', 'Control'],
      ['a:userID', 'Test'],
    ]);
    expect(touchedPairs(decoded)).toEqual([
      ['b:userID', 'exp'],
      ['a:userID', 'exp'],
    ]);
    expect(touchedKeys(decoded)).toEqual(['b:userID', 'a:userID']);
  });

  it('counts sticky units per group and effective saves and deletes per day, nothing for a superseded save or a delete of nothing', () => {
    const decoded = decodeRecords(records(event('save', 'a:userID'), event('save', 'a:userID', 'Test'), event('save', 'b:userID', 'Test'), event('delete', 'b:userID'), event('delete', 'c:userID')));
    const projection = projectBatch(decoded, new Map());
    expect(projection.groupUnits).toEqual([{ configName: 'exp', groupName: 'Control', units: 1 }]);
    expect(projection.dailyActivity).toEqual([{ configName: 'exp', day: '2026-11-25', saves: 2, deletes: 1 }]);
  });

  it('forgets the counts the batch gave an erased unit; the writer subtracts what earlier batches counted', () => {
    const projection = projectBatch(decodeRecords(records(event('save', 'a:userID'), erased('a:userID'))), new Map());
    expect(projection.groupUnits).toEqual([]);
    // Activity is not about the unit: the day still had that save.
    expect(projection.dailyActivity).toEqual([{ configName: 'exp', day: '2026-11-25', saves: 1, deletes: 0 }]);
  });
});
