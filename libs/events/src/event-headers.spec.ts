import { cloudEventTypeOf, defaultEventSource, eventHeadersFor } from './event-headers';
import { type LedgerEvent } from './ledger-event';

const metadata = { eventId: '6f1c1c49-8b8e-4a5e-9a57-0a1b2c3d4e5f', occurredAt: '2026-11-25T10:00:00.000Z', cause: { source: 'storage_api' as const, apiKeyId: null, requestId: 'req-1' } };
const deleted: LedgerEvent = { type: 'StickyValueDeleted', version: 2, data: { persistenceKey: 'ünit:42:userID', configName: 'checkout_button', reason: 'explicit' }, metadata };

describe('event record headers', () => {
  const headersOf = eventHeadersFor('urn:assignment-ledger:prod');

  it('carry the CloudEvents attributes of the event (Kafka binding, binary mode) and the headers older consumers read', () => {
    expect(headersOf(deleted)).toEqual({
      ce_specversion: '1.0',
      ce_id: metadata.eventId,
      ce_source: 'urn:assignment-ledger:prod',
      ce_type: 'org.assignment-ledger.sticky-value.deleted.v2',
      ce_time: metadata.occurredAt,
      ce_subject: 'ünit:42:userID',
      ce_dataschema: 'urn:assignment-ledger:event:StickyValueDeleted:v2',
      'content-type': 'application/json',
      'event-type': 'StickyValueDeleted',
      'event-version': '2',
      'event-id': metadata.eventId,
    });
  });

  it('name one CloudEvents type per event type and version', () => {
    expect(cloudEventTypeOf('StickyValueSaved', 2)).toBe('org.assignment-ledger.sticky-value.saved.v2');
    expect(cloudEventTypeOf('StickyValueSaved', 1)).toBe('org.assignment-ledger.sticky-value.saved.v1');
    expect(cloudEventTypeOf('StickyValueDeleted', 2)).toBe('org.assignment-ledger.sticky-value.deleted.v2');
  });

  it('are refused for a version the ledger no longer writes', () => {
    expect(() => headersOf({ ...deleted, version: 1 } as never)).toThrow('current versions only');
  });

  it('name the topic as the source by default', () => {
    expect(defaultEventSource('assignment-ledger.sticky-values')).toBe('urn:assignment-ledger:assignment-ledger.sticky-values');
  });
});
