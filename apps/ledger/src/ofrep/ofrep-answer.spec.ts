import { type ExperimentSpec } from '@ledger/assignment';
import { type EvaluationResponse } from '../evaluation/evaluation.service';
import { ofrepAnswerOf, ofrepReasonOf, statsigUserFor } from './ofrep-answer';

const spec = (overrides: Partial<ExperimentSpec> = {}): ExperimentSpec => ({
  name: 'checkout_button',
  idType: 'userID',
  status: 'active',
  salt: 'checkout_button',
  allocationPercent: 100,
  targeting: [{ field: 'country', operator: 'any', values: ['NZ'] }],
  groups: [
    { name: 'Control', weight: 50, parameters: { color: 'blue' } },
    { name: 'Test', weight: 50, parameters: { color: 'green' } },
  ],
  defaultParameters: { color: 'grey' },
  bucketVersion: 1,
  minBucketVersion: 0,
  ...overrides,
});

const evaluation = (overrides: Partial<EvaluationResponse> = {}): EvaluationResponse => ({
  experiment: 'checkout_button',
  version: 3,
  groupName: 'Test',
  ruleId: 'Test',
  parameters: { color: 'green' },
  reason: 'Evaluated',
  buckets: { allocation: 8026, group: 6974 },
  targeting: { passed: true },
  sticky: { key: 'test-123:userID', savedAt: '2026-01-02T03:04:05.000Z', eventId: 'e1', experimentVersion: 3 },
  ...overrides,
});

describe('an evaluation as OFREP answers it', () => {
  it('gives a first evaluation the group as variant, its parameters as value, and SPLIT', () => {
    expect(ofrepAnswerOf(spec(), evaluation())).toEqual({
      kind: 'evaluated',
      success: {
        key: 'checkout_button',
        value: { color: 'green' },
        variant: 'Test',
        reason: 'SPLIT',
        metadata: { experimentVersion: 3, stickySince: '2026-01-02T03:04:05.000Z', stickyExperimentVersion: 3 },
      },
    });
  });

  it('answers a held sticky value PERSISTED, naming the version it was assigned under', () => {
    const held = evaluation({ version: 5, reason: 'Persisted', sticky: { key: 'test-123:userID', savedAt: '2026-01-02T03:04:05.000Z', eventId: 'e1', experimentVersion: 3 } });
    expect(ofrepAnswerOf(spec(), held)).toMatchObject({ success: { reason: 'PERSISTED', variant: 'Test', metadata: { experimentVersion: 5, stickyExperimentVersion: 3 } } });
  });

  it('says TARGETING_MATCH only when targeting alone decided: conditions passed and everyone allocated to one group', () => {
    const oneGroup = spec({
      groups: [
        { name: 'Test', weight: 100, parameters: {} },
        { name: 'Off', weight: 0, parameters: {} },
      ],
    });
    expect(ofrepReasonOf(oneGroup, { reason: 'Evaluated' })).toBe('TARGETING_MATCH');
    expect(ofrepReasonOf({ ...oneGroup, targeting: [] }, { reason: 'Evaluated' })).toBe('SPLIT');
    expect(ofrepReasonOf({ ...oneGroup, allocationPercent: 50 }, { reason: 'Evaluated' })).toBe('SPLIT');
  });

  it('gives a unit in no group the default parameters: DEFAULT, or DISABLED when the experiment is inactive', () => {
    const outside = { groupName: null, parameters: { color: 'grey' }, sticky: null };
    expect(ofrepAnswerOf(spec(), evaluation({ ...outside, reason: 'NotAllocated' }))).toEqual({
      kind: 'evaluated',
      success: { key: 'checkout_button', value: { color: 'grey' }, reason: 'DEFAULT', metadata: { experimentVersion: 3 } },
    });
    expect(ofrepReasonOf(spec(), { reason: 'TargetingFailed' })).toBe('DEFAULT');
    expect(ofrepAnswerOf(spec(), evaluation({ ...outside, reason: 'Inactive' }))).toMatchObject({ success: { reason: 'DISABLED', value: { color: 'grey' } } });
  });

  it('fails an evaluation without a unit with INVALID_CONTEXT', () => {
    expect(ofrepAnswerOf(spec({ idType: 'companyID' }), evaluation({ reason: 'NoUnitID', groupName: null, sticky: null }))).toEqual({
      kind: 'failed',
      failure: { key: 'checkout_button', errorCode: 'INVALID_CONTEXT', errorDetails: expect.stringContaining('companyID') },
    });
  });
});

describe('an evaluation context as a Statsig user', () => {
  it('takes the targetingKey as the unit, user fields as such and every other attribute as custom', () => {
    expect(statsigUserFor({ targetingKey: 'u1', country: 'NZ', plan: 'pro', seats: 3, beta: true, tags: ['a'] }, 'userID')).toEqual({
      ok: true,
      user: { userID: 'u1', country: 'NZ', custom: { plan: 'pro', seats: 3, beta: true, tags: ['a'] } },
    });
  });

  it('prefers the attribute the idType names, so one context serves experiments on users and on companies', () => {
    const context = { targetingKey: 'u1', companyID: 'acme' };
    expect(statsigUserFor(context, 'companyID')).toEqual({ ok: true, user: { customIDs: { companyID: 'acme' } } });
    expect(statsigUserFor({ targetingKey: 'u1' }, 'stableID')).toEqual({ ok: true, user: { customIDs: { stableID: 'u1' } } });
  });

  it('leaves the unit out when the context has none, and lists attributes it cannot carry', () => {
    expect(statsigUserFor(undefined, 'userID')).toEqual({ ok: true, user: {} });
    expect(statsigUserFor({ targetingKey: 'u1', address: { city: 'Wellington' }, codes: [1, 2] }, 'userID')).toEqual({
      ok: false,
      problems: ['/context/address must be text, a number, a boolean, null or a list of text', '/context/codes must be text, a number, a boolean, null or a list of text'],
    });
  });
});
