import { decidePublish } from './experiment-publish.decide';
import { type ExperimentSpec, validateExperimentSpec } from './experiment-spec';

const validated = (candidate: Record<string, unknown>): ExperimentSpec => {
  const validation = validateExperimentSpec('checkout_button', candidate);
  if (!validation.ok) throw new Error(validation.problems.join('; '));
  return validation.spec;
};

const given = {
  status: 'active',
  allocationPercent: 50,
  targeting: [{ field: 'country', operator: 'any', values: ['NZ'] }],
  groups: [
    { name: 'Control', weight: 50 },
    { name: 'Test', weight: 50 },
  ],
};

describe('publishing an experiment spec', () => {
  it('makes a first version of every field', () => {
    const decision = decidePublish(null, validated(given));
    expect(decision).toMatchObject({ kind: 'new_version', spec: validated(given) });
    expect(decision.kind === 'new_version' && Object.keys(decision.diff)).toEqual(expect.arrayContaining(['allocationPercent', 'salt', 'bucketVersion']));
  });

  it('adds no version for the spec the latest version holds, once defaults are filled in', () => {
    const spelledOut = { ...given, idType: 'userID', salt: 'checkout_button', bucketVersion: 1, minBucketVersion: 0, defaultParameters: {} };
    expect(decidePublish(validated(given), validated(given))).toEqual({ kind: 'unchanged' });
    expect(decidePublish(validated(given), validated(spelledOut))).toEqual({ kind: 'unchanged' });
  });

  it('compares content, not key order', () => {
    const reordered = { groups: given.groups, targeting: [{ values: ['NZ'], operator: 'any', field: 'country' }], allocationPercent: 50, status: 'active' };
    expect(decidePublish(validated(given), validated(reordered))).toEqual({ kind: 'unchanged' });
  });

  it('makes a new version with the fields that changed', () => {
    expect(decidePublish(validated(given), validated({ ...given, allocationPercent: 75 }))).toEqual({
      kind: 'new_version',
      spec: validated({ ...given, allocationPercent: 75 }),
      diff: { allocationPercent: { from: 50, to: 75 } },
    });
  });
});
