import { validateLedgerEvent } from '@ledger/events';
import { withEnvelope } from './event-envelope';

const deleted = { type: 'StickyValueDeleted', version: 2, data: { persistenceKey: 'u-1:userID', configName: 'checkout_button', reason: 'explicit' } } as const;
const cause = { apiKeyId: 'key-1', requestId: 'request-1', source: 'storage_api' } as const;

describe('withEnvelope', () => {
  afterEach(() => jest.useRealTimers());

  it('gives the event a fresh id, the moment and its cause, and the result is a valid event', () => {
    jest.useFakeTimers({ now: new Date('2026-11-26T08:00:00.123Z') });
    const first = withEnvelope(deleted, cause);
    const second = withEnvelope(deleted, cause);
    expect(validateLedgerEvent(first)).toBe(first);
    expect(first.metadata).toEqual({ eventId: expect.any(String), occurredAt: '2026-11-26T08:00:00.123Z', cause });
    expect(second.metadata.eventId).not.toBe(first.metadata.eventId);
    expect(first.data).toEqual(deleted.data);
  });

  it('stamps the moment of each call, not of an earlier one', () => {
    jest.useFakeTimers({ now: new Date('2026-11-26T08:00:00.000Z') });
    expect(withEnvelope(deleted, cause).metadata.occurredAt).toBe('2026-11-26T08:00:00.000Z');
    jest.setSystemTime(new Date('2026-11-26T08:00:00.001Z'));
    expect(withEnvelope(deleted, cause).metadata.occurredAt).toBe('2026-11-26T08:00:00.001Z');
    jest.setSystemTime(new Date('2027-01-01T00:00:00.000Z'));
    expect(withEnvelope(deleted, cause).metadata.occurredAt).toBe('2027-01-01T00:00:00.000Z');
  });
});
