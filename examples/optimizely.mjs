// Optimizely (@optimizely/optimizely-sdk 6) with its user profile service on the assignment ledger.
//   npm install @assignment-ledger/client @optimizely/optimizely-sdk@6
//   LEDGER_URL=http://127.0.0.1:8080 LEDGER_API_KEY=<key> node optimizely.mjs [userId]
import { createInstance, createStaticProjectConfigManager } from '@optimizely/optimizely-sdk';
import { LedgerClient } from '@assignment-ledger/client';
import { LedgerUserProfileService } from '@assignment-ledger/client/optimizely';

const ledger = new LedgerClient({ url: process.env.LEDGER_URL ?? 'http://127.0.0.1:8080', apiKey: process.env.LEDGER_API_KEY });
const profiles = new LedgerUserProfileService(ledger);

// A datafile inline, so the example runs offline; in production use createPollingProjectConfigManager({ sdkKey }).
const variation = (id, key) => ({ id, key, featureEnabled: true, variables: [] });
const datafile = {
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
      variations: [variation('3001', 'control'), variation('3002', 'treatment')],
      trafficAllocation: [
        { entityId: '3001', endOfRange: 5000 },
        { entityId: '3002', endOfRange: 10000 },
      ],
    },
  ],
  featureFlags: [{ id: '4001', key: 'checkout_flag', rolloutId: '5001', experimentIds: ['1001'], variables: [] }],
  rollouts: [{ id: '5001', experiments: [] }],
};
// The asynchronous service: decideAsync looks the profile up on the ledger (one call per user).
const optimizely = createInstance({ projectConfigManager: createStaticProjectConfigManager({ datafile: JSON.stringify(datafile) }), userProfileServiceAsync: profiles.async });
await optimizely.onReady();

const user = optimizely.createUserContext(process.argv[2] ?? 'user-42');
const decision = await user.decideAsync('checkout_flag');
console.log(JSON.stringify({ userId: user.getUserId(), variation: decision.variationKey }));
await optimizely.close();
ledger.close();
