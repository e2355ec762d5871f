import { decodeLedgerEvent, encodeLedgerEvent, InvalidEventError, type LedgerEvent, type StoredLedgerEvent } from './ledger-event';

const deleted: LedgerEvent = {
  type: 'StickyValueDeleted',
  version: 2,
  data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'persisted_values_not_provided' },
  metadata: {
    eventId: '6f1c1c49-8b8e-4a5e-9a57-0a1b2c3d4e5f',
    occurredAt: '2026-11-25T10:00:00.000Z',
    cause: { source: 'evaluation', apiKeyId: 'key-1', requestId: 'req-9' },
  },
};
const stickyValues = {
  value: true,
  json_value: { color: 'green' },
  rule_id: 'Test',
  group_name: 'Test',
  secondary_exposures: [],
  undelegated_secondary_exposures: null,
  config_delegate: null,
  explicit_parameters: null,
  time: 1_764_000_000_000,
  config_version: 3,
};
const v1Metadata = { eventId: '6f1c1c49-8b8e-4a5e-9a57-0a1b2c3d4e60', occurredAt: '2026-11-25T10:00:00.000Z', caller: { apiKeyId: 'key-1' }, correlationId: 'req-1', source: 'evaluation' as const };
const savedV1 = (data: Record<string, unknown>): StoredLedgerEvent =>
  ({ type: 'StickyValueSaved', version: 1, data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', stickyValues, ...data }, metadata: v1Metadata }) as StoredLedgerEvent;
const nested = (depth: number): Record<string, unknown> => (depth === 1 ? { leaf: 1 } : { inner: nested(depth - 1) });
const savedWith = (values: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify({ type: 'StickyValueSaved', version: 2, data: { persistenceKey: 'u:userID', configName: 'c', stickyValues: { ...stickyValues, ...values } }, metadata: deleted.metadata }),
  );

describe('ledger event codec', () => {
  it('round-trips a valid event', () => {
    expect(decodeLedgerEvent(encodeLedgerEvent(deleted))).toEqual(deleted);
  });

  it('refuses to encode an event that breaks its schema, so nothing invalid is produced', () => {
    const bad = { ...deleted, data: { ...deleted.data, reason: 'because' } } as unknown as LedgerEvent;
    expect(() => encodeLedgerEvent(bad)).toThrow(InvalidEventError);
  });

  it.each([
    ['not JSON', Buffer.from('{oops'), 'not JSON'],
    ['an unknown version', Buffer.from(JSON.stringify({ ...deleted, version: 9 })), 'unknown event type/version'],
    ['an extra field', Buffer.from(JSON.stringify({ ...deleted, data: { ...deleted.data, extra: 1 } })), '/data'],
    ['a malformed event id', Buffer.from(JSON.stringify({ ...deleted, metadata: { ...deleted.metadata, eventId: 'x' } })), '/metadata/eventId'],
    ['a malformed persistence key', Buffer.from(JSON.stringify({ ...deleted, data: { ...deleted.data, persistenceKey: 'no-id-type' } })), '/data/persistenceKey'],
    ['a control character in the unit id', Buffer.from(JSON.stringify({ ...deleted, data: { ...deleted.data, persistenceKey: 'a\u0085b:userID' } })), '/data/persistenceKey'],
    ['a date that is not on the calendar', Buffer.from(JSON.stringify({ ...deleted, metadata: { ...deleted.metadata, occurredAt: '2026-02-30T00:00:00Z' } })), '/metadata/occurredAt'],
    ['U+0000 in a rule id', savedWith({ rule_id: 'a\u0000b' }), '/data/stickyValues/rule_id'],
    ['a lone surrogate in a json_value key', savedWith({ json_value: { '\udc00': 1 } }), '/data/stickyValues/json_value'],
    ['json_value nested one level too deep', savedWith({ json_value: nested(33) }), '/data/stickyValues/json_value'],
  ])('rejects a record with %s, naming the reason', (_label, payload, reason) => {
    expect(() => decodeLedgerEvent(payload)).toThrow(expect.objectContaining({ reason: expect.stringContaining(reason) }));
  });

  it('accepts json_value at the deepest nesting every transport carries', () => {
    expect(decodeLedgerEvent(savedWith({ json_value: nested(32) })).data).toMatchObject({ stickyValues: { json_value: nested(32) } });
  });

  it('rejects a record without a value', () => {
    expect(() => decodeLedgerEvent(null)).toThrow('record has no value');
  });

  describe('version 1 records, read as version 2', () => {
    it('moves the envelope into a typed cause and types the evaluation block', () => {
      const evaluation = { experimentVersion: 3, bucketVersion: 1, ruleId: 'Test', groupName: 'Test', buckets: { allocation: 8026, group: 6974 }, targeting: { passed: true }, reason: 'Evaluated' };
      expect(decodeLedgerEvent(encodeLedgerEvent(savedV1({ evaluation })))).toEqual({
        type: 'StickyValueSaved',
        version: 2,
        data: {
          persistenceKey: 'test-123:userID',
          configName: 'checkout_button',
          stickyValues,
          assignment: { experiment: 'checkout_button', ...evaluation, allocationPercent: null, enforceTargeting: null },
        },
        metadata: { eventId: v1Metadata.eventId, occurredAt: v1Metadata.occurredAt, cause: { source: 'evaluation', apiKeyId: 'key-1', requestId: 'req-1' } },
      });
    });

    it('reads a value an SDK saved (no evaluation block) and a delete', () => {
      expect(decodeLedgerEvent(encodeLedgerEvent(savedV1({}))).data).toEqual({ persistenceKey: 'test-123:userID', configName: 'checkout_button', stickyValues });
      const deletedV1 = { type: 'StickyValueDeleted', version: 1, data: deleted.data, metadata: v1Metadata } as StoredLedgerEvent;
      expect(decodeLedgerEvent(encodeLedgerEvent(deletedV1))).toMatchObject({ version: 2, data: deleted.data, metadata: { cause: { requestId: 'req-1' } } });
    });

    it('refuses a version 1 record beyond what version 2 carries, whatever replays it', () => {
      const poisoned = encodeLedgerEvent(savedV1({ stickyValues: { ...stickyValues, rule_id: 'a\u0000b' } }));
      expect(() => decodeLedgerEvent(poisoned)).toThrow(expect.objectContaining({ reason: expect.stringMatching(/StickyValueSaved\.v1 is beyond what version 2 carries.*rule_id/) }));
    });
  });
});
