import { type LedgerEvent } from '@ledger/events';
import { matchesFilter, renderEventLine } from './tail.render';

const deleted: LedgerEvent = {
  type: 'StickyValueDeleted',
  version: 2,
  data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'experiment_inactive' },
  metadata: { eventId: '6f1c0c7e-1b9e-4a53-9a57-0d2f4d1f7b10', occurredAt: '2026-03-05T12:00:00.000Z', cause: { source: 'evaluation', apiKeyId: null, requestId: 'r' } },
};

describe('tail lines', () => {
  it('shows time, type, key, config, the delete reason and the event id', () => {
    expect(renderEventLine(deleted)).toBe('2026-03-05T12:00:00.000Z  StickyValueDeleted  test-123:userID  checkout_button  experiment_inactive  6f1c0c7e-1b9e-4a53-9a57-0d2f4d1f7b10');
  });

  it('filters by key, experiment and type together', () => {
    expect(matchesFilter(deleted, {})).toBe(true);
    expect(matchesFilter(deleted, { key: 'test-123:userID', experiment: 'checkout_button', type: 'StickyValueDeleted' })).toBe(true);
    expect(matchesFilter(deleted, { key: 'other:userID' })).toBe(false);
    expect(matchesFilter(deleted, { experiment: 'other' })).toBe(false);
    expect(matchesFilter(deleted, { type: 'StickyValueSaved' })).toBe(false);
  });
});
