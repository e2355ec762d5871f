import { validateExperimentSpec } from './experiment-spec';

const valid = {
  idType: 'userID',
  status: 'active',
  allocationPercent: 50.25,
  targeting: [{ field: 'country', operator: 'any', values: ['NZ'] }],
  groups: [
    { name: 'Control', weight: 50, parameters: { color: 'blue' } },
    { name: 'Test', weight: 50, parameters: { color: 'green' } },
  ],
};

describe('experiment specs', () => {
  it('fills defaults: salt is the experiment name, bucket versions 1 and 0', () => {
    const result = validateExperimentSpec('checkout_button', valid);
    expect(result).toMatchObject({ ok: true, spec: { name: 'checkout_button', salt: 'checkout_button', bucketVersion: 1, minBucketVersion: 0, defaultParameters: {} } });
  });

  it('lists every problem at once', () => {
    const result = validateExperimentSpec('x', {
      ...valid,
      status: 'paused',
      allocationPercent: 100.5,
      targeting: [{ field: 'shoeSize', operator: 'matches', values: [] }],
    });
    expect(result.ok).toBe(false);
    const problems = (result as { problems: string[] }).problems.join('\n');
    for (const path of ['/status', '/allocationPercent', '/targeting/0/field', '/targeting/0/operator']) expect(problems).toContain(path);
  });

  it.each([
    [
      {
        ...valid,
        groups: [
          { name: 'A', weight: 60 },
          { name: 'B', weight: 30 },
        ],
      },
      'add up to 100',
    ],
    [
      {
        ...valid,
        groups: [
          { name: 'A', weight: 50 },
          { name: 'A', weight: 50 },
        ],
      },
      'unique',
    ],
    [{ ...valid, bucketVersion: 2, minBucketVersion: 3 }, 'minBucketVersion'],
    [{ ...valid, allocationPercent: 10.005 }, '/allocationPercent'],
  ])('refuses %j (%s)', (spec, problem) => {
    const result = validateExperimentSpec('x', spec);
    expect(result.ok).toBe(false);
    expect((result as { problems: string[] }).problems.join('\n')).toContain(problem);
  });
});
