// GrowthBook (@growthbook/growthbook) with sticky bucketing on the assignment ledger.
//   npm install @assignment-ledger/client @growthbook/growthbook
//   LEDGER_URL=http://127.0.0.1:8080 LEDGER_API_KEY=<key> node growthbook.mjs [id]
import { GrowthBook } from '@growthbook/growthbook';
import { LedgerClient } from '@assignment-ledger/client';
import { LedgerStickyBucketService } from '@assignment-ledger/client/growthbook';

const ledger = new LedgerClient({ url: process.env.LEDGER_URL ?? 'http://127.0.0.1:8080', apiKey: process.env.LEDGER_API_KEY });
// GrowthBook's `id` attribute shares Statsig's `userID` keys: `<id>:userID`.
const stickyBucketService = new LedgerStickyBucketService(ledger, { idTypes: { id: 'userID' } });

// The features inline, so the example runs offline; with a GrowthBook apiHost and clientKey, pass those instead.
const payload = {
  features: {
    'checkout-button': {
      defaultValue: 'grey',
      rules: [
        {
          key: 'checkout_button_gb',
          seed: 'checkout_button_gb',
          hashAttribute: 'id',
          hashVersion: 2,
          bucketVersion: 0,
          variations: ['blue', 'green'],
          meta: [{ key: 'control' }, { key: 'treatment' }],
          weights: [0.5, 0.5],
          coverage: 1,
        },
      ],
    },
  },
};
const gb = new GrowthBook({ attributes: { id: process.argv[2] ?? 'user-42' }, stickyBucketService });
await gb.init({ payload }); // one batch-load for every attribute the features hash on

const result = gb.evalFeature('checkout-button');
console.log(JSON.stringify({ id: gb.getAttributes().id, value: result.value, stickyBucketUsed: result.experimentResult?.stickyBucketUsed ?? false }));
await new Promise((resolve) => setImmediate(resolve)); // GrowthBook saves without waiting; let the save go out
gb.destroy();
