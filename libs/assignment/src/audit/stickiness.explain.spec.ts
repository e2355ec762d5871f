import { currentSpec, deleted, erased, evaluationRecord, KEY, saved } from './audit-history.fixture';
import { type AuditedEvent } from './audit-trail.evolve';
import { type CurrentExperiment, explainStickiness, type ExplainStickinessInput } from './stickiness.explain';

const explain = (history: AuditedEvent[], current: CurrentExperiment | null, extra: Partial<ExplainStickinessInput> = {}) =>
  explainStickiness({ key: KEY, experiment: 'checkout_button', history, current, asOf: '2026-04-01T00:00:00.000Z', ...extra });

/** checkout_button version 5: allocation 10 % (test-123's allocation bucket 8026 is not allocated) unless overridden. */
const version5 = (overrides: Record<string, unknown> = {}): CurrentExperiment => ({ spec: currentSpec(overrides), version: 5 });

const firstEvaluation = saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z', group: 'Test' });

describe('explaining why a unit is (or is not) sticky', () => {
  it('sticky: evaluated into Test under version 3; version 5 would not allocate it, so the persisted value keeps it in Test', () => {
    // Given test-123 was evaluated into Test under version 3 (allocation 20 %, its bucket 1234)
    // When explained while version 5 allocates 10 %
    const explanation = explain([firstEvaluation], version5());
    // Then
    expect(explanation.explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %; evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so the persisted value keeps it in Test.',
    );
    expect(explanation).toMatchObject({ sticky: true, since: '2026-03-02T09:15:00.000Z', group: 'Test' });
    expect(explanation.because).toEqual([
      {
        fact: 'Saved',
        unitId: 'test-123',
        experiment: 'checkout_button',
        eventId: 'e1',
        at: '2026-03-02T09:15:00.000Z',
        groupName: 'Test',
        source: 'evaluation',
        apiKeyId: 'key-sdk',
        evaluation: { experimentVersion: 3, bucketVersion: 1, allocationPercent: 20, buckets: { allocation: 1234, group: 6974 }, ruleId: 'Test', enforceTargeting: false },
      },
      {
        fact: 'EvaluatedNow',
        experimentVersion: 5,
        status: 'active',
        allocationPercent: 10,
        live: { reason: 'NotAllocated', groupName: null, buckets: { allocation: 8026, group: 6974 } },
        answer: { reason: 'Persisted', groupName: 'Test' },
        wouldAppend: [],
        judgedOnUnitIdOnly: false,
      },
    ]);
    // Nothing is written: the live result and the answer come from the pure decision alone.
    expect(explanation.ifEvaluatedNow).toMatchObject({ experimentVersion: 5, live: { reason: 'NotAllocated' }, answer: { reason: 'Persisted', groupName: 'Test' }, wouldAppend: [] });
  });

  it('sticky, and version 5 would put it in the same group', () => {
    expect(explain([firstEvaluation], version5({ allocationPercent: 100 })).explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %; evaluated now under version 5 (allocation 100.00 %) it would be in Test anyway.',
    );
  });

  it('never evaluated: no save or delete is recorded, and a first evaluation now would save Test', () => {
    const explanation = explain([], version5({ allocationPercent: 100 }));
    expect(explanation.explanation).toBe(
      'test-123 has never been evaluated in checkout_button as of 2026-04-01T00:00:00.000Z; evaluated now under version 5 (allocation 100.00 %) it would be in Test, and that would be saved.',
    );
    expect(explanation).toMatchObject({ sticky: false, since: null, group: null, ifEvaluatedNow: { wouldAppend: [{ type: 'StickyValueSaved', groupName: 'Test' }] } });
    expect(explanation.because[0]).toEqual({ fact: 'NeverEvaluated', unitId: 'test-123', experiment: 'checkout_button', asOf: '2026-04-01T00:00:00.000Z' });
  });

  it('never evaluated, and the experiment is not published', () => {
    const explanation = explain([], null);
    expect(explanation.explanation).toBe(
      'test-123 has never been evaluated in checkout_button as of 2026-04-01T00:00:00.000Z; checkout_button has no published version, so it cannot be evaluated now.',
    );
    expect(explanation.ifEvaluatedNow).toBeNull();
  });

  it.each([
    ['persisted_values_not_provided' as const, 'it was evaluated without persisted values'],
    ['experiment_inactive' as const, 'the experiment was no longer active'],
    ['bucket_version_retired' as const, 'bucket version 1, which it was assigned under, was retired'],
    ['explicit' as const, 'a storage API delete asked for it'],
  ])('deleted (%s): says when, why and by which key', (reason, why) => {
    const history = [firstEvaluation, deleted({ eventId: 'e2', at: '2026-03-05T12:00:00.000Z', reason })];
    const explanation = explain(history, version5());
    expect(explanation.explanation).toBe(
      `test-123 is not sticky in checkout_button: it was in Test from 2026-03-02 until 2026-03-05, when its value was deleted because ${why} (API key key-sdk); evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so nothing would be saved.`,
    );
    expect(explanation).toMatchObject({ sticky: false, since: null, group: null });
    expect(explanation.because[1]).toEqual({
      fact: 'Deleted',
      eventId: 'e2',
      at: '2026-03-05T12:00:00.000Z',
      reason,
      source: reason === 'explicit' ? 'storage_api' : 'evaluation',
      apiKeyId: 'key-sdk',
      removedBucketVersion: 1,
    });
  });

  it('deleted because the experiment went inactive, and it still is', () => {
    const history = [firstEvaluation, deleted({ eventId: 'e2', at: '2026-03-05T12:00:00.000Z', reason: 'experiment_inactive' })];
    expect(explain(history, version5({ status: 'inactive' })).explanation).toBe(
      'test-123 is not sticky in checkout_button: it was in Test from 2026-03-02 until 2026-03-05, when its value was deleted because the experiment was no longer active (API key key-sdk); version 5 is inactive, so evaluated now it would not be in the experiment.',
    );
  });

  it('deleted by an erasure of the unit: only the erasure is told, the history before it is gone', () => {
    const history = [firstEvaluation, erased({ eventId: 'e9', at: '2026-03-04T08:00:00.000Z' })];
    const explanation = explain(history, version5());
    expect(explanation.explanation).toBe(
      'test-123 is not sticky in checkout_button: its history was erased on 2026-03-04 (API key key-admin), its value with it, and it has not been evaluated since; evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so nothing would be saved.',
    );
    expect(explanation.because[0]).toMatchObject({ fact: 'Erased', eventId: 'e9', removedValue: true });
    expect(explanation.because.some((fact) => fact.fact === 'Saved')).toBe(false);
  });

  it('after an erasure the history starts anew', () => {
    const history = [firstEvaluation, erased({ eventId: 'e9', at: '2026-03-04T08:00:00.000Z' }), saved({ eventId: 'e10', at: '2026-03-06T10:00:00.000Z', group: 'Control' })];
    expect(explain(history, version5())).toMatchObject({ sticky: true, group: 'Control', since: '2026-03-06T10:00:00.000Z' });
  });

  it('superseded race: names the winner and by how many milliseconds the loser came later', () => {
    // Given two servers evaluating test-123 at once: Test reached the log first, Control 12 ms later
    const history = [firstEvaluation, saved({ eventId: 'e2', at: '2026-03-02T09:15:00.012Z', group: 'Control' })];
    const explanation = explain(history, version5());
    expect(explanation.explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %, and a racing save of Control (event e2) reached the log 12 ms later and was superseded, as the first write wins; evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so the persisted value keeps it in Test.',
    );
    expect(explanation.because[1]).toEqual({
      fact: 'SaveSuperseded',
      eventId: 'e2',
      at: '2026-03-02T09:15:00.012Z',
      groupName: 'Control',
      winnerEventId: 'e1',
      winnerGroupName: 'Test',
      millisecondsLater: 12,
    });
  });

  it('superseded race of three: counts the losers and names the first', () => {
    const history = [firstEvaluation, saved({ eventId: 'e2', at: '2026-03-02T09:15:00.003Z', group: 'Control' }), saved({ eventId: 'e3', at: '2026-03-02T09:15:00.020Z', group: 'Control' })];
    expect(explain(history, version5()).explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %, and 2 later saves were superseded, as the first write wins (the first of them 3 ms later: Control, event e2); evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so the persisted value keeps it in Test.',
    );
  });

  it('bucket version retired: still sticky, but an evaluation now would delete the value and evaluate afresh', () => {
    const history = [saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z', group: 'Control', assignment: evaluationRecord({ groupName: 'Control', ruleId: 'Control' }) })];
    const explanation = explain(history, version5({ bucketVersion: 2, minBucketVersion: 2, allocationPercent: 100 }));
    expect(explanation.explanation).toBe(
      'test-123 is in Control since 2026-03-02 because it was first evaluated under version 3 (bucket version 1), allocation bucket 1234 below 20.00 %; its bucket version 1 is retired (version 5 requires 2 or later), so evaluated now under version 5 its value would be deleted and it would be in Test, saved anew.',
    );
    expect(explanation).toMatchObject({ sticky: true, group: 'Control' });
    expect(explanation.because).toContainEqual({ fact: 'BucketVersionRetired', heldBucketVersion: 1, minBucketVersion: 2 });
    expect(explanation.ifEvaluatedNow?.wouldAppend).toEqual([
      { type: 'StickyValueDeleted', reason: 'bucket_version_retired' },
      { type: 'StickyValueSaved', groupName: 'Test' },
    ]);
  });

  const nzOnly = () => version5({ allocationPercent: 100, targeting: [{ field: 'country', operator: 'any', values: ['NZ'] }] });
  const german = { userID: 'test-123', country: 'DE' };

  it('targeting now failing, without enforceTargeting: the persisted value still decides', () => {
    const explanation = explain([firstEvaluation], nzOnly(), { user: german });
    expect(explanation.explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %; evaluated now under version 5 it would fail targeting (country any NZ), but without enforceTargeting the persisted value keeps it in Test.',
    );
    expect(explanation.because).toContainEqual({ fact: 'TargetingFailsNow', failedCondition: 0, condition: { field: 'country', operator: 'any', values: ['NZ'] }, enforceTargeting: false });
    expect(explanation.ifEvaluatedNow?.answer).toMatchObject({ reason: 'Persisted', groupName: 'Test' });
  });

  it('targeting now failing, with enforceTargeting: the live result, the value kept', () => {
    const explanation = explain([firstEvaluation], nzOnly(), { user: german, enforceTargeting: true });
    expect(explanation.explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %; evaluated now under version 5 it would fail targeting (country any NZ), and with enforceTargeting it would get the live result, not in the experiment, while the persisted value in Test is kept for when it passes again.',
    );
    expect(explanation.ifEvaluatedNow).toMatchObject({ enforceTargeting: true, answer: { reason: 'TargetingFailed', groupName: null }, wouldAppend: [] });
    expect(explanation.sticky).toBe(true);
  });

  it('targeting judged on the unit id alone says so', () => {
    expect(explain([firstEvaluation], nzOnly()).explanation).toBe(
      'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %; evaluated now under version 5 (targeting judged on the unit id alone: no user attributes were given) it would fail targeting (country any NZ), but without enforceTargeting the persisted value keeps it in Test.',
    );
  });

  it('saved directly by an SDK: no evaluation block, and the sentence says so', () => {
    const history = [saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z', assignment: null })];
    const explanation = explain(history, version5());
    expect(explanation.explanation).toBe(
      'test-123 is in Test since 2026-03-02 because an SDK saved that value directly through the storage API (API key key-sdk), with no evaluation block, so no version or bucket explains the group; evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so the persisted value keeps it in Test.',
    );
    expect(explanation.because[0]).toMatchObject({ fact: 'Saved', source: 'storage_api', evaluation: null });
  });

  it('asOf replays the history: before the delete it was sticky, before the save never evaluated', () => {
    const history = [firstEvaluation, deleted({ eventId: 'e2', at: '2026-03-05T12:00:00.000Z', reason: 'explicit' })];
    expect(explain(history, version5(), { asOf: '2026-03-03T00:00:00Z' })).toMatchObject({ sticky: true, group: 'Test' });
    expect(explain(history, version5(), { asOf: '2026-03-01T00:00:00Z' }).because[0]).toMatchObject({ fact: 'NeverEvaluated' });
  });

  it("another experiment's events do not explain this one", () => {
    const history = [saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z', experiment: 'other_experiment' })];
    expect(explain(history, version5()).because[0]).toMatchObject({ fact: 'NeverEvaluated' });
  });
});
