/**
 * The smallest config specs payload ("dcs-v2") Statsig's server core accepts, with one experiment, `checkout_button`:
 * a targeting gate (country NZ) and two groups split on a user bucket (`user-42` is in Control).
 */
export interface StatsigSpecOptions {
  /** The groups' pass percentage: 100 allocates everyone who passes targeting, 0 no one. */
  passPercentage?: number;
  isActive?: boolean;
  /** Moves every user to Test (Control's bucket range becomes empty), as a changed allocation would. */
  everyoneInTest?: boolean;
}

export const STATSIG_EXPERIMENT = 'checkout_button';

export function statsigConfigSpecs({ passPercentage = 100, isActive = true, everyoneInTest = false }: StatsigSpecOptions = {}): Record<string, unknown> {
  const group = (name: string, condition: string, color: string) => ({
    name,
    id: name,
    groupName: name,
    passPercentage,
    conditions: [condition],
    returnValue: { color },
    idType: 'userID',
    isExperimentGroup: true,
  });
  return {
    has_updates: true,
    time: 1_700_000_000_000,
    feature_gates: {
      nz_only: {
        type: 'feature_gate',
        entity: 'feature_gate',
        salt: 'nz_only',
        enabled: true,
        defaultValue: false,
        idType: 'userID',
        rules: [{ name: 'nz', id: 'nz', passPercentage: 100, conditions: ['in_nz'], returnValue: true, idType: 'userID' }],
      },
    },
    layer_configs: {},
    experiment_to_layer: {},
    dynamic_configs: {
      [STATSIG_EXPERIMENT]: {
        type: 'dynamic_config',
        entity: 'experiment',
        salt: 's',
        enabled: true,
        defaultValue: { color: 'grey' },
        idType: 'userID',
        isActive,
        version: 5,
        rules: [
          // Users who fail the gate match this rule and get the default: Statsig's targeting.
          { name: 'targetingGate', id: 'targetingGate', passPercentage: 100, conditions: ['not_in_nz'], returnValue: { color: 'grey' }, idType: 'userID' },
          group('Control', 'first_half', 'blue'),
          group('Test', 'second_half', 'green'),
        ],
      },
    },
    condition_map: {
      in_nz: { type: 'user_field', targetValue: ['NZ'], operator: 'any', field: 'country', additionalValues: {}, idType: 'userID' },
      not_in_nz: { type: 'fail_gate', targetValue: 'nz_only', operator: null, field: null, additionalValues: {}, idType: 'userID' },
      first_half: { type: 'user_bucket', targetValue: everyoneInTest ? 0 : 500, operator: 'lt', field: null, additionalValues: { salt: 's' }, idType: 'userID' },
      second_half: { type: 'user_bucket', targetValue: 1000, operator: 'lt', field: null, additionalValues: { salt: 's' }, idType: 'userID' },
    },
  };
}
