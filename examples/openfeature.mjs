// OpenFeature's server SDK with the stock OFREP provider, evaluating the ledger's experiments with persistence
// (the ledger answers OFREP at POST /ofrep/v1/evaluate/flags/{key}); no adapter of this package is involved.
//   npm install @openfeature/server-sdk @openfeature/ofrep-provider
//   LEDGER_URL=http://127.0.0.1:8080 LEDGER_API_KEY=<a key with scope evaluate> node openfeature.mjs [userID]
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';

const baseUrl = process.env.LEDGER_URL ?? 'http://127.0.0.1:8080';
await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl, headers: [['Authorization', `Bearer ${process.env.LEDGER_API_KEY}`]] }));
const client = OpenFeature.getClient();

// The targeting key is the unit id; the other attributes are the user's, for targeting.
const context = { targetingKey: process.argv[2] ?? 'user-42', country: 'NZ' };
const details = await client.getObjectDetails('checkout_button', {}, context);
console.log(JSON.stringify({ userID: context.targetingKey, value: details.value, variant: details.variant, reason: details.reason }));
await OpenFeature.close();
