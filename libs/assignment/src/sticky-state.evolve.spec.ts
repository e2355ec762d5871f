import { type LedgerEvent, type StickyValues } from '@ledger/events';
import { ABSENT, evolve, foldEvents } from './sticky-state.evolve';

const control: StickyValues = {
  value: true,
  json_value: { color: 'blue' },
  rule_id: 'rule-control',
  group_name: 'Control',
  secondary_exposures: [],
  undelegated_secondary_exposures: null,
  config_delegate: null,
  explicit_parameters: null,
  time: 1_700_000_000_000,
  config_version: 3,
};
const test = { ...control, json_value: { color: 'red' }, rule_id: 'rule-test', group_name: 'Test' };

let sequence = 0;
const metadata = () => ({
  eventId: `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
  occurredAt: '2026-11-25T10:00:00.000Z',
  cause: { source: 'storage_api' as const, apiKeyId: null, requestId: 'req-1' },
});
const saved = (value: StickyValues): LedgerEvent => ({
  type: 'StickyValueSaved',
  version: 2,
  data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', stickyValues: value },
  metadata: metadata(),
});
const deleted = (): LedgerEvent => ({
  type: 'StickyValueDeleted',
  version: 2,
  data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'experiment_inactive' },
  metadata: metadata(),
});

describe('sticky state evolves from the log', () => {
  it('given no value, when a save arrives, then the unit holds it', () => {
    const event = saved(control);
    expect(evolve(ABSENT, event)).toEqual({
      outcome: 'saved',
      state: { kind: 'held', stickyValues: control, savedEventId: event.metadata.eventId, savedAt: event.metadata.occurredAt, assignment: null },
    });
  });

  it('given a held value, when another save arrives, then the first write wins and the second is superseded', () => {
    const first = evolve(ABSENT, saved(control)).state;
    const second = evolve(first, saved(test));
    expect(second.outcome).toBe('superseded');
    expect(second.state).toBe(first);
  });

  it('given a held value, when a delete arrives, then the unit holds nothing', () => {
    expect(evolve(evolve(ABSENT, saved(control)).state, deleted())).toEqual({ state: ABSENT, outcome: 'deleted' });
  });

  it('given no value, when a delete arrives, then nothing changes', () => {
    expect(evolve(ABSENT, deleted())).toEqual({ state: ABSENT, outcome: 'absent' });
  });

  it('after a delete, the next save is a first evaluation again', () => {
    const state = foldEvents([saved(control), deleted(), saved(test)]);
    expect(state.kind === 'held' && state.stickyValues.group_name).toBe('Test');
  });
});
