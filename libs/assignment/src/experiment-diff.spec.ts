import { diffSpecs } from './experiment-diff';

describe('experiment diffs', () => {
  it('lists each changed field with its old and new value', () => {
    expect(diffSpecs({ allocationPercent: 10, status: 'active', groups: [1] }, { allocationPercent: 20, status: 'active', groups: [1], salt: 's' })).toEqual({
      allocationPercent: { from: 10, to: 20 },
      salt: { from: null, to: 's' },
    });
  });

  it('compares content, not key order', () => {
    expect(diffSpecs({ targeting: [{ field: 'country', operator: 'any' }] }, { targeting: [{ operator: 'any', field: 'country' }] })).toEqual({});
  });

  it('shows every field of a first version as new', () => {
    expect(diffSpecs(null, { status: 'active' })).toEqual({ status: { from: null, to: 'active' } });
  });
});
