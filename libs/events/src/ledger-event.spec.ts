import { decodeLedgerEvent, encodeLedgerEvent, InvalidEventError, type LedgerEvent } from './ledger-event';

const event: LedgerEvent = {
  type: 'StickyValueDeleted',
  version: 1,
  data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'persisted_values_not_provided' },
  metadata: {
    eventId: '6f1c1c49-8b8e-4a5e-9a57-0a1b2c3d4e5f',
    occurredAt: '2026-11-25T10:00:00.000Z',
    caller: { apiKeyId: 'key-1' },
    correlationId: 'req-9',
    source: 'evaluation',
  },
};

describe('ledger event codec', () => {
  it('round-trips a valid event', () => {
    expect(decodeLedgerEvent(encodeLedgerEvent(event))).toEqual(event);
  });

  it('refuses to encode an event that breaks its schema, so nothing invalid is produced', () => {
    const bad = { ...event, data: { ...event.data, reason: 'because' } } as unknown as LedgerEvent;
    expect(() => encodeLedgerEvent(bad)).toThrow(InvalidEventError);
  });

  it.each([
    ['not JSON', Buffer.from('{oops'), 'not JSON'],
    ['an unknown version', Buffer.from(JSON.stringify({ ...event, version: 9 })), 'unknown event type/version'],
    ['an extra field', Buffer.from(JSON.stringify({ ...event, data: { ...event.data, extra: 1 } })), '/data'],
    ['a malformed event id', Buffer.from(JSON.stringify({ ...event, metadata: { ...event.metadata, eventId: 'x' } })), '/metadata/eventId'],
    ['a malformed persistence key', Buffer.from(JSON.stringify({ ...event, data: { ...event.data, persistenceKey: 'no-id-type' } })), '/data/persistenceKey'],
  ])('rejects a record with %s, naming the reason', (_label, payload, reason) => {
    expect(() => decodeLedgerEvent(payload)).toThrow(expect.objectContaining({ reason: expect.stringContaining(reason) }));
  });

  it('rejects a record without a value', () => {
    expect(() => decodeLedgerEvent(null)).toThrow('record has no value');
  });
});
