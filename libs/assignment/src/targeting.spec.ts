import { evaluateTargeting, type TargetingCondition } from './targeting';
import { type StatsigUser } from './statsig-user';

const user: StatsigUser = {
  userID: 'u1',
  email: 'Ada@Example.com',
  country: 'NZ',
  appVersion: '2.10.1',
  custom: { plan: 'pro', age: 37, signedUpAt: '2026-01-15T00:00:00Z' },
  customIDs: { companyID: 'c9' },
  privateAttributes: { tier: 'gold' },
};
const holds = (condition: TargetingCondition, who: StatsigUser = user) => evaluateTargeting([condition], who).passed;

describe('targeting', () => {
  it.each<[TargetingCondition, boolean]>([
    [{ field: 'country', operator: 'any', values: ['nz', 'AU'] }, true],
    [{ field: 'country', operator: 'none', values: ['NZ'] }, false],
    [{ field: 'email', operator: 'str_contains_any', values: ['@example.COM'] }, true],
    [{ field: 'email', operator: 'str_contains_none', values: ['example'] }, false],
    [{ field: 'custom.age', operator: 'gt', values: [36] }, true],
    [{ field: 'custom.age', operator: 'lte', values: ['36'] }, false],
    [{ field: 'appVersion', operator: 'version_gt', values: ['2.9.9'] }, true],
    [{ field: 'appVersion', operator: 'version_lt', values: ['2.10'] }, false],
    [{ field: 'appVersion', operator: 'version_eq', values: ['2.10.1'] }, true],
    [{ field: 'appVersion', operator: 'version_gte', values: ['2.10.1-beta'] }, true],
    [{ field: 'custom.signedUpAt', operator: 'before', values: ['2026-02-01T00:00:00Z'] }, true],
    [{ field: 'custom.signedUpAt', operator: 'after', values: [Date.parse('2026-02-01T00:00:00Z')] }, false],
    [{ field: 'customIDs.companyID', operator: 'any', values: ['c9'] }, true],
    [{ field: 'privateAttributes.tier', operator: 'any', values: ['GOLD'] }, true],
    [{ field: 'locale', operator: 'is_null', values: [] }, true],
    [{ field: 'locale', operator: 'is_not_null', values: [] }, false],
  ])('%j is %s', (condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it('treats a missing or unparseable value as not matching a comparison', () => {
    expect(holds({ field: 'custom.missing', operator: 'gt', values: [1] })).toBe(false);
    expect(holds({ field: 'custom.plan', operator: 'version_gt', values: ['1.0'] })).toBe(false);
    expect(holds({ field: 'custom.missing', operator: 'none', values: ['x'] })).toBe(true);
  });

  it('requires every condition and names the first that failed', () => {
    const conditions: TargetingCondition[] = [
      { field: 'country', operator: 'any', values: ['NZ'] },
      { field: 'custom.plan', operator: 'any', values: ['free'] },
      { field: 'custom.age', operator: 'lt', values: [18] },
    ];
    expect(evaluateTargeting(conditions, user)).toEqual({ passed: false, failedCondition: 1, condition: conditions[1] });
    expect(evaluateTargeting([], user)).toEqual({ passed: true });
  });
});
