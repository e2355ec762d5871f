import { type AssignmentRecord, type LedgerEvent, type LedgerEventData, type StickyValues } from '@ledger/events';
import { type AssignmentOptions, decideAssignment } from './assignment.decide';
import { type ExperimentSpec, validateExperimentSpec } from './experiment-spec';
import { type StatsigUser } from './statsig-user';
import { foldEvents } from './sticky-state.evolve';

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
const control: StickyValues = {
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
};
const persistent = { persist: true, enforceTargeting: false };
const key = { persistenceKey: 'test-123:userID', configName: 'checkout_button' };

/** A save already in the log: by an evaluation under bucket version 1, or (no assignment) by an SDK. */
const savedControl = (assignment: Partial<AssignmentRecord> | null = { bucketVersion: 1 }): LedgerEvent => ({
  type: 'StickyValueSaved',
  version: 2,
  data: { ...key, stickyValues: control, ...(assignment ? { assignment: { ...controlAssignment, ...assignment } } : {}) },
  metadata: { eventId: '00000000-0000-4000-8000-000000000001', occurredAt: '2026-03-02T10:00:00.000Z', cause: { source: 'evaluation', apiKeyId: null, requestId: 'r' } },
});
const controlAssignment: AssignmentRecord = {
  experiment: 'checkout_button',
  experimentVersion: 1,
  bucketVersion: 1,
  allocationPercent: 100,
  ruleId: 'Control',
  groupName: 'Control',
  buckets: { allocation: 8026, group: 1 },
  targeting: { passed: true },
  enforceTargeting: false,
  reason: 'Evaluated',
};
const deletedBecause = (reason: string): LedgerEventData => ({ type: 'StickyValueDeleted', version: 2, data: { ...key, reason } }) as LedgerEventData;

/** Given the events in the log, when the user is evaluated under `experiment` version `version`: the decision. */
const given =
  (...history: LedgerEvent[]) =>
  (experiment: ExperimentSpec, version: number, user: StatsigUser, options: AssignmentOptions = persistent, time: number | null = 2) =>
    decideAssignment({ type: 'EvaluateAssignment', spec: experiment, specVersion: version, user, options, time }, foldEvents(history));

describe('deciding an assignment, rule by rule', () => {
  it('rule 4: with no sticky value, a user allocated to a group is saved (the first evaluation) and gets that group', () => {
    const decision = given()(spec(), 3, kiwi, persistent, 1_764_000_000_000);
    expect(decision.result).toMatchObject({ groupName: 'Test', reason: 'Evaluated', parameters: { color: 'green' }, buckets: { allocation: 8026, group: 6974 } });
    expect(decision.events).toEqual([
      {
        type: 'StickyValueSaved',
        version: 2,
        data: {
          ...key,
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
      },
    ]);
  });

  it('rule 3: a sticky value is returned whoever the user is now and whatever the spec says', () => {
    const changed = spec({ allocationPercent: 0, targeting: [{ field: 'country', operator: 'any', values: ['AU'] }], groups: [{ name: 'Other', weight: 100 }] });
    const decision = given(savedControl())(changed, 9, { userID: 'test-123', country: 'US' });
    expect(decision.result).toMatchObject({ groupName: 'Control', reason: 'Persisted', parameters: { color: 'blue' } });
    expect(decision.events).toEqual([]);
  });

  it('rule 3 with enforceTargeting: a user who fails targeting gets the live result and the sticky value is kept', () => {
    const decision = given(savedControl())(spec(), 1, { userID: 'test-123', country: 'US' }, { persist: true, enforceTargeting: true });
    expect(decision.result).toMatchObject({ groupName: null, reason: 'TargetingFailed', parameters: { color: 'grey' }, targeting: { passed: false, failedCondition: 0 } });
    expect(decision.events).toEqual([]);
  });

  it('rule 1: without persisted values the result is live and the sticky value is deleted', () => {
    const decision = given(savedControl())(spec(), 1, kiwi, { persist: false, enforceTargeting: false });
    expect(decision.result.reason).toBe('Evaluated');
    expect(decision.result.groupName).toBe('Test');
    expect(decision.events).toEqual([deletedBecause('persisted_values_not_provided')]);
  });

  it('rule 1 deletes nothing when there is nothing to delete, and says a held value would have gone', () => {
    expect(given()(spec(), 1, kiwi, { persist: false, enforceTargeting: false })).toMatchObject({ events: [], judgeAtReadPosition: true });
  });

  it('rule 2: an inactive experiment gives the default and deletes the sticky value', () => {
    const decision = given(savedControl())(spec({ status: 'inactive' }), 1, kiwi);
    expect(decision.result).toMatchObject({ groupName: null, reason: 'Inactive', parameters: { color: 'grey' } });
    expect(decision.events).toEqual([deletedBecause('experiment_inactive')]);
  });

  it('rule 5: a user not in the experiment gets the live result and nothing is saved', () => {
    expect(given()(spec({ allocationPercent: 50 }), 1, kiwi)).toMatchObject({ result: { reason: 'NotAllocated', groupName: null }, events: [] });
    expect(given()(spec(), 1, { userID: 'test-123', country: 'AU' })).toMatchObject({ result: { reason: 'TargetingFailed' }, events: [] });
  });

  it('a sticky value from a retired bucket version is deleted and the user evaluated afresh', () => {
    const decision = given(savedControl())(spec({ bucketVersion: 2, minBucketVersion: 2 }), 4, kiwi);
    expect(decision.result.reason).toBe('Evaluated');
    expect(decision.events.map((event) => (event.type === 'StickyValueDeleted' ? event.data.reason : event.type === 'StickyValueSaved' ? event.data.stickyValues.group_name : null))).toEqual([
      'bucket_version_retired',
      'Test',
    ]);
  });

  it('without a unit id there is no key: live default, nothing saved or deleted', () => {
    const decision = given(savedControl())(spec({ idType: 'companyID' }), 1, kiwi, { persist: false, enforceTargeting: false });
    expect(decision).toEqual({ result: expect.objectContaining({ reason: 'NoUnitID', buckets: null }), events: [], judgeAtReadPosition: false });
  });

  it('finds custom unit ids in customIDs, also under the lower-cased id type', () => {
    const decision = given()(spec({ idType: 'companyID' }), 1, { customIDs: { companyid: 'acme' }, country: 'NZ' });
    expect(decision.events[0]).toMatchObject({ data: { persistenceKey: 'acme:companyID' } });
  });
  it('a value an SDK saved directly counts as bucket version 1: kept at minBucketVersion 1, deleted at 2', () => {
    expect(given(savedControl(null))(spec({ minBucketVersion: 1 }), 2, kiwi)).toMatchObject({ result: { reason: 'Persisted', groupName: 'Control' }, events: [] });
    expect(given(savedControl(null))(spec({ bucketVersion: 2, minBucketVersion: 2 }), 2, kiwi).events[0]).toEqual(deletedBecause('bucket_version_retired'));
  });

  it('given a value saved and then deleted, the user is evaluated afresh and saved again', () => {
    const deleted: LedgerEvent = { ...deletedBecause('explicit'), metadata: { ...savedControl().metadata, eventId: '00000000-0000-4000-8000-000000000002' } } as LedgerEvent;
    expect(given(savedControl(), deleted)(spec(), 2, kiwi).events.map((event) => event.type)).toEqual(['StickyValueSaved']);
  });
});
