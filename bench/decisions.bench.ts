import { Statsig, StatsigUser } from '@statsig/statsig-node-core';
import { ABSENT, decideAssignment, validateExperimentSpec } from '@ledger/assignment';

const USERS = 100_000;
const ROUNDS = 5;

/** Statsig's config specs (v2) for one active experiment with two 50/50 groups, as its server core reads them. */
const STATSIG_SPECS = {
  has_updates: true,
  time: 1_700_000_000_000,
  feature_gates: {},
  layer_configs: {},
  experiment_to_layer: {},
  dynamic_configs: {
    checkout_button: {
      type: 'dynamic_config',
      entity: 'experiment',
      salt: 'checkout_button',
      enabled: true,
      defaultValue: {},
      idType: 'userID',
      isActive: true,
      version: 1,
      rules: [
        { name: 'a', id: 'a', groupName: 'Control', passPercentage: 100, conditions: ['c1'], returnValue: { color: 'blue' }, idType: 'userID', isExperimentGroup: true },
        { name: 'b', id: 'b', groupName: 'Test', passPercentage: 100, conditions: ['c2'], returnValue: { color: 'green' }, idType: 'userID', isExperimentGroup: true },
      ],
    },
  },
  condition_map: {
    c1: { type: 'user_bucket', targetValue: 500, operator: 'lt', field: null, additionalValues: { salt: 'checkout_button' }, idType: 'userID' },
    c2: { type: 'user_bucket', targetValue: 1000, operator: 'lt', field: null, additionalValues: { salt: 'checkout_button' }, idType: 'userID' },
  },
};

export interface DecisionsResult {
  users: number;
  coreDecisionsPerSecond: number;
  statsigDecisionsPerSecond: number;
  ratio: number;
  coreGroups: Record<string, number>;
  statsigGroups: Record<string, number>;
}

/** The pure core against Statsig's server core, offline, on the same users; best of several rounds each. */
export async function decisionsPerSecond(log: (line: string) => void): Promise<DecisionsResult> {
  const validation = validateExperimentSpec('checkout_button', {
    status: 'active',
    allocationPercent: 100,
    groups: [
      { name: 'Control', weight: 50, parameters: { color: 'blue' } },
      { name: 'Test', weight: 50, parameters: { color: 'green' } },
    ],
  });
  if (!validation.ok) throw new Error(validation.problems.join('; '));
  const spec = validation.spec;
  const ids = Array.from({ length: USERS }, (_, index) => `user-${index}`);
  const ourUsers = ids.map((userID) => ({ userID }));
  const statsigUsers = ids.map((userID) => new StatsigUser({ userID }));

  const statsig = new Statsig('secret-bench', {
    disableNetwork: true,
    disableAllLogging: true,
    outputLogLevel: 'none',
    dataStore: { initialize: async () => {}, shutdown: async () => {}, get: async () => ({ result: JSON.stringify(STATSIG_SPECS), time: Date.now() }) },
  } as never);
  await statsig.initialize();

  const coreGroups: Record<string, number> = {};
  const statsigGroups: Record<string, number> = {};
  const best = (work: () => void): number => {
    let fastest = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const started = process.hrtime.bigint();
      work();
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return USERS / fastest;
  };
  const options = { persist: true, enforceTargeting: false };
  const core = best(() => {
    for (const user of ourUsers) {
      const group = decideAssignment({ type: 'EvaluateAssignment', spec, specVersion: 1, user, options, time: 0 }, ABSENT).result.groupName ?? 'none';
      coreGroups[group] = (coreGroups[group] ?? 0) + 1;
    }
  });
  const statsigRate = best(() => {
    for (const user of statsigUsers) {
      const group = statsig.getExperiment(user, 'checkout_button').groupName ?? 'none';
      statsigGroups[group] = (statsigGroups[group] ?? 0) + 1;
    }
  });
  await statsig.shutdown();
  log(`pure core ${Math.round(core)}/s, Statsig core ${Math.round(statsigRate)}/s over ${USERS} users`);
  return {
    users: USERS,
    coreDecisionsPerSecond: Math.round(core),
    statsigDecisionsPerSecond: Math.round(statsigRate),
    ratio: Math.round((core / statsigRate) * 100) / 100,
    coreGroups,
    statsigGroups,
  };
}
