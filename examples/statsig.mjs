// Statsig's server core (@statsig/statsig-node-core) with persistent assignment on the assignment ledger.
//   npm install @assignment-ledger/client @statsig/statsig-node-core
//   LEDGER_URL=http://127.0.0.1:8080 LEDGER_API_KEY=<a key with storage:read and storage:write> node statsig.mjs [userID]
import { Statsig, StatsigUser } from '@statsig/statsig-node-core';
import { LedgerClient } from '@assignment-ledger/client';
import { StatsigLedgerStorage } from '@assignment-ledger/client/statsig';

const ledger = new LedgerClient({ url: process.env.LEDGER_URL ?? 'http://127.0.0.1:8080', apiKey: process.env.LEDGER_API_KEY });
const storage = new StatsigLedgerStorage(ledger);

// So that the example runs offline, the experiment comes from a data store: with a real server key, leave out
// `disableNetwork` and `dataStore`. One experiment, two groups split on a user bucket.
const rule = (group, below) => ({ name: group, id: group, groupName: group, passPercentage: 100, conditions: [below], returnValue: { group }, idType: 'userID', isExperimentGroup: true });
const bucket = (targetValue) => ({ type: 'user_bucket', targetValue, operator: 'lt', field: null, additionalValues: { salt: 's' }, idType: 'userID' });
const specs = {
  has_updates: true,
  time: 1_700_000_000_000,
  feature_gates: {},
  layer_configs: {},
  experiment_to_layer: {},
  dynamic_configs: {
    checkout_button: {
      type: 'dynamic_config',
      entity: 'experiment',
      salt: 's',
      enabled: true,
      defaultValue: {},
      idType: 'userID',
      isActive: true,
      version: 1,
      rules: [rule('Control', 'half'), rule('Test', 'all')],
    },
  },
  condition_map: { half: bucket(500), all: bucket(1000) },
};
const statsig = new Statsig(process.env.STATSIG_SERVER_KEY ?? 'secret-example', {
  disableNetwork: true,
  outputLogLevel: 'none',
  dataStore: { initialize: async () => {}, shutdown: async () => {}, get: async () => ({ result: JSON.stringify(specs), time: Date.now() }) },
  persistentStorage: storage,
});
await statsig.initialize();

const user = new StatsigUser({ userID: process.argv[2] ?? 'user-42' });
// One ledger call for this user, however many experiments the request evaluates.
const userPersistedValues = await storage.getUserPersistedValues(user, 'userID');
const experiment = statsig.getExperiment(user, 'checkout_button', { userPersistedValues });
console.log(JSON.stringify({ userID: user.userID, group: experiment.groupName, reason: experiment.details.reason }));

await storage.flush(); // the first evaluation's save, before the process ends
await statsig.shutdown();
ledger.close();
// The binding holds the storage's callbacks until the Statsig instance is garbage-collected, which keeps a script
// alive for a while after its work is done; a server never notices, a script ends itself.
process.exit(0);
