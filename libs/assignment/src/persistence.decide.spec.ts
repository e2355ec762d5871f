import { type StickyValues } from '@ledger/events';
import { decide } from './persistence.decide';
import { ABSENT, type StickyState } from './sticky-state.evolve';

const value: StickyValues = {
  value: true,
  json_value: {},
  rule_id: 'r',
  group_name: 'Control',
  secondary_exposures: [],
  undelegated_secondary_exposures: null,
  config_delegate: null,
  explicit_parameters: null,
  time: null,
  config_version: 1,
};
const held: StickyState = { kind: 'held', stickyValues: value, savedEventId: 'e', savedAt: 't', assignment: null };
const key = { persistenceKey: 'test-123:userID', configName: 'exp' };

describe('deciding what a storage call appends', () => {
  it('given no value, a save appends StickyValueSaved', () => {
    expect(decide({ type: 'SaveStickyValue', ...key, stickyValues: value }, ABSENT)).toEqual({
      type: 'StickyValueSaved',
      version: 2,
      data: { ...key, stickyValues: value },
    });
  });

  it('given a held value, a save appends nothing: the answer is the value held', () => {
    expect(decide({ type: 'SaveStickyValue', ...key, stickyValues: value }, held)).toBeNull();
  });

  it('given a held value, a delete appends StickyValueDeleted with its reason', () => {
    expect(decide({ type: 'DeleteStickyValue', ...key, reason: 'persisted_values_not_provided' }, held)).toEqual({
      type: 'StickyValueDeleted',
      version: 2,
      data: { ...key, reason: 'persisted_values_not_provided' },
    });
  });

  it('given no value, a delete appends nothing, so SDK deletes on every evaluation do not flood the log', () => {
    expect(decide({ type: 'DeleteStickyValue', ...key, reason: 'persisted_values_not_provided' }, ABSENT)).toBeNull();
  });
});
