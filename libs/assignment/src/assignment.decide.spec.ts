import { decideAssignment, type StickyAssignment } from './assignment.decide';
import { type ExperimentSpec, validateExperimentSpec } from './experiment-spec';
import { type StatsigUser } from './statsig-user';

const spec = (overrides: Record<string, unknown> = {}): ExperimentSpec => {
  const result = validateExperimentSpec('checkout_button', {
    idType: 'userID',
    status: 'active',
    allocationPercent: 100,
    targeting: [{ field: 'country', operator: 'any', values: ['NZ'] }],
    groups: [
      { name: 'Control', weight: 50, parameters: { color: 'blue' } },
      { name: 'Test', weight: 50, parameters: { color: 'green' } },
    ],
    defaultParameters: { color: 'grey' },
    ...overrides,
  });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.spec;
};
// test-123 lands in group bucket 6974 (Test), allocation bucket 8026.
const kiwi: StatsigUser = { userID: 'test-123', country: 'NZ' };
const stickyControl: StickyAssignment = {
  bucketVersion: 1,
  stickyValues: {
    value: true,
    json_value: { color: 'blue' },
    rule_id: 'Control',
    group_name: 'Control',
    secondary_exposures: [],
    undelegated_secondary_exposures: null,
    config_delegate: null,
    explicit_parameters: null,
    time: 1,
    config_version: 1,
  },
};
const persistent = { persist: true, enforceTargeting: false };

describe('deciding an assignment, rule by rule', () => {
  it('rule 4: with no sticky value, a user allocated to a group is saved (the first evaluation) and gets that group', () => {
    const decision = decideAssignment(spec(), 3, kiwi, null, persistent, 1_764_000_000_000);
    expect(decision.result).toMatchObject({ groupName: 'Test', reason: 'Evaluated', parameters: { color: 'green' }, buckets: { allocation: 8026, group: 6974 } });
    expect(decision.commands).toEqual([
      {
        type: 'SaveStickyValue',
        persistenceKey: 'test-123:userID',
        configName: 'checkout_button',
        stickyValues: expect.objectContaining({ value: true, group_name: 'Test', rule_id: 'Test', json_value: { color: 'green' }, config_version: 3, time: 1_764_000_000_000 }),
        // Why, for the audit trail: the version, its allocation, the buckets and the targeting outcome.
        assignment: {
          experiment: 'checkout_button',
          experimentVersion: 3,
          bucketVersion: 1,
          allocationPercent: 100,
          ruleId: 'Test',
          groupName: 'Test',
          buckets: { allocation: 8026, group: 6974 },
          targeting: { passed: true },
          enforceTargeting: false,
          reason: 'Evaluated',
        },
      },
    ]);
  });

  it('rule 3: a sticky value is returned whoever the user is now and whatever the spec says', () => {
    const changed = spec({ allocationPercent: 0, targeting: [{ field: 'country', operator: 'any', values: ['AU'] }], groups: [{ name: 'Other', weight: 100 }] });
    const decision = decideAssignment(changed, 9, { userID: 'test-123', country: 'US' }, stickyControl, persistent, 2);
    expect(decision.result).toMatchObject({ groupName: 'Control', reason: 'Persisted', parameters: { color: 'blue' } });
    expect(decision.commands).toEqual([]);
  });

  it('rule 3 with enforceTargeting: a user who fails targeting gets the live result and the sticky value is kept', () => {
    const decision = decideAssignment(spec(), 1, { userID: 'test-123', country: 'US' }, stickyControl, { persist: true, enforceTargeting: true }, 2);
    expect(decision.result).toMatchObject({ groupName: null, reason: 'TargetingFailed', parameters: { color: 'grey' }, targeting: { passed: false, failedCondition: 0 } });
    expect(decision.commands).toEqual([]);
  });

  it('rule 1: without persisted values the result is live and the sticky value is deleted', () => {
    const decision = decideAssignment(spec(), 1, kiwi, stickyControl, { persist: false, enforceTargeting: false }, 2);
    expect(decision.result.reason).toBe('Evaluated');
    expect(decision.result.groupName).toBe('Test');
    expect(decision.commands).toEqual([{ type: 'DeleteStickyValue', persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'persisted_values_not_provided' }]);
  });

  it('rule 1 deletes nothing when there is nothing to delete, and says a held value would have gone', () => {
    expect(decideAssignment(spec(), 1, kiwi, null, { persist: false, enforceTargeting: false }, 2)).toMatchObject({ commands: [], deletesHeldValue: true });
  });

  it('rule 2: an inactive experiment gives the default and deletes the sticky value', () => {
    const decision = decideAssignment(spec({ status: 'inactive' }), 1, kiwi, stickyControl, persistent, 2);
    expect(decision.result).toMatchObject({ groupName: null, reason: 'Inactive', parameters: { color: 'grey' } });
    expect(decision.commands).toEqual([{ type: 'DeleteStickyValue', persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'experiment_inactive' }]);
  });

  it('rule 5: a user not in the experiment gets the live result and nothing is saved', () => {
    expect(decideAssignment(spec({ allocationPercent: 50 }), 1, kiwi, null, persistent, 2)).toMatchObject({ result: { reason: 'NotAllocated', groupName: null }, commands: [] });
    expect(decideAssignment(spec(), 1, { userID: 'test-123', country: 'AU' }, null, persistent, 2)).toMatchObject({ result: { reason: 'TargetingFailed' }, commands: [] });
  });

  it('a sticky value from a retired bucket version is deleted and the user evaluated afresh', () => {
    const decision = decideAssignment(spec({ bucketVersion: 2, minBucketVersion: 2 }), 4, kiwi, stickyControl, persistent, 2);
    expect(decision.result.reason).toBe('Evaluated');
    expect(decision.commands.map((command) => (command.type === 'DeleteStickyValue' ? command.reason : 'save'))).toEqual(['bucket_version_retired', 'save']);
  });

  it('without a unit id there is no key: live default, nothing saved or deleted', () => {
    const decision = decideAssignment(spec({ idType: 'companyID' }), 1, kiwi, stickyControl, { persist: false, enforceTargeting: false }, 2);
    expect(decision).toEqual({ result: expect.objectContaining({ reason: 'NoUnitID', buckets: null }), commands: [], deletesHeldValue: false });
  });

  it('finds custom unit ids in customIDs, also under the lower-cased id type', () => {
    const decision = decideAssignment(spec({ idType: 'companyID' }), 1, { customIDs: { companyid: 'acme' }, country: 'NZ' }, null, persistent, 2);
    expect(decision.commands[0]).toMatchObject({ persistenceKey: 'acme:companyID' });
  });
});
