/**
 * The experiment the integration tests and benches publish: two 50/50 groups, NZ only. With the salt
 * "checkout_button", user test-123 has allocation bucket 8026 and group bucket 6974 (Test).
 * (The pure core's own tests keep their copy: they do not load this infrastructure library.)
 */
export const checkoutButtonSpec = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
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
