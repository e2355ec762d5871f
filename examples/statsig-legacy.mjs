// The legacy Statsig server SDK (statsig-node 6) with persistent assignment on the assignment ledger.
//   npm install @assignment-ledger/client statsig-node@6
//   LEDGER_URL=http://127.0.0.1:8080 LEDGER_API_KEY=<key> node statsig-legacy.mjs [userID]
import { StatsigServer } from 'statsig-node';
import { LedgerClient } from '@assignment-ledger/client';
import { StatsigLegacyLedgerStorage } from '@assignment-ledger/client/statsig-legacy';

const ledger = new LedgerClient({ url: process.env.LEDGER_URL ?? 'http://127.0.0.1:8080', apiKey: process.env.LEDGER_API_KEY });
const storage = new StatsigLegacyLedgerStorage(ledger);

// Offline (localMode with bootstrap values, which this SDK wants in its v1 format); with a real key, leave both out.
const bucket = (targetValue) => ({ type: 'user_bucket', targetValue, operator: 'lt', field: null, additionalValues: { salt: 's' }, idType: 'userID' });
const rule = (group, below) => ({
  name: group,
  id: group,
  groupName: group,
  salt: group,
  passPercentage: 100,
  conditions: [bucket(below)],
  returnValue: { group },
  idType: 'userID',
  isExperimentGroup: true,
});
const specs = {
  has_updates: true,
  time: 1_700_000_000_000,
  feature_gates: [],
  layer_configs: [],
  layers: {},
  dynamic_configs: [
    {
      name: 'checkout_button',
      type: 'dynamic_config',
      entity: 'experiment',
      salt: 's',
      enabled: true,
      defaultValue: {},
      idType: 'userID',
      isActive: true,
      rules: [rule('Control', 500), rule('Test', 1000)],
    },
  ],
};
const statsig = new StatsigServer(process.env.STATSIG_SERVER_KEY ?? 'secret-example', { localMode: true, bootstrapValues: JSON.stringify(specs), userPersistentStorage: storage });
await statsig.initializeAsync();

const user = { userID: process.argv[2] ?? 'user-42' };
// This SDK's load is synchronous too: fetch first (one ledger call per user), then evaluate.
const userPersistedValues = await storage.getUserPersistedValues(user, 'userID');
const experiment = statsig.getExperimentSync(user, 'checkout_button', { userPersistedValues });
console.log(JSON.stringify({ userID: user.userID, group: experiment.getGroupName(), reason: experiment.getEvaluationDetails()?.reason }));

await storage.flush();
statsig.shutdown();
ledger.close();
