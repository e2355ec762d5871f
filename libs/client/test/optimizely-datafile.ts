/** Optimizely's side of the client tests and the SDK bench: one running experiment behind one flag. */

export const CONTROL = '3001';
export const TREATMENT = '3002';

/** The smallest datafile with one running experiment (id 1001) behind one flag; `allocation` maps bucket ranges to variations. */
export const datafile = (allocation: { entityId: string; endOfRange: number }[]) => ({
  version: '4',
  projectId: '1',
  accountId: '1',
  revision: '1',
  anonymizeIP: true,
  botFiltering: false,
  attributes: [],
  audiences: [],
  typedAudiences: [],
  events: [],
  groups: [],
  integrations: [],
  experiments: [
    {
      id: '1001',
      key: 'checkout_button',
      status: 'Running',
      layerId: '2001',
      audienceIds: [],
      audienceConditions: [],
      forcedVariations: {},
      variations: [
        { id: CONTROL, key: 'control', featureEnabled: true, variables: [] },
        { id: TREATMENT, key: 'treatment', featureEnabled: true, variables: [] },
      ],
      trafficAllocation: allocation,
    },
  ],
  featureFlags: [{ id: '4001', key: 'checkout_flag', rolloutId: '5001', experimentIds: ['1001'], variables: [] }],
  rollouts: [{ id: '5001', experiments: [] }],
});
