import { type EvaluationDetails, type Hook, type JsonValue, OpenFeature } from '@openfeature/server-sdk';
import { OFREPApiUnauthorizedError, OFREPForbiddenError } from '@openfeature/ofrep-core';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { checkoutButtonSpec, createTestEnvironment, jsonClient, type JsonClient, type TestEnvironment } from '@ledger/testing';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

// With the salt "checkout_button", test-123 has allocation bucket 8026 and group bucket 6974 (Test).
const kiwi = { targetingKey: 'test-123', country: 'NZ' };
const fallback = { color: 'fallback' };

/** An OpenFeature client over the stock OFREP provider, sending the given key as a bearer token. */
async function openFeatureClient(domain: string, baseUrl: string, key: string, hooks: Hook[] = []) {
  await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl, headers: [['authorization', `Bearer ${key}`]] }));
  const client = OpenFeature.getClient(domain);
  client.addHooks(...hooks);
  return client;
}

describe('OpenFeature through OFREP, with the stock server SDK and provider', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let baseUrl: string;
  let evaluator: JsonClient;
  let evaluateKey: string;
  let readerKey: string;

  beforeAll(async () => {
    environment = await createTestEnvironment('ofrep');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    baseUrl = await stack.ledger.getUrl();
    evaluateKey = (await stack.api.post('/v1/api-keys', { name: 'ofrep', scopes: ['evaluate'] })).body.key;
    readerKey = (await stack.api.post('/v1/api-keys', { name: 'reader', scopes: ['storage:read'] })).body.key;
    evaluator = jsonClient(baseUrl, { authorization: `Bearer ${evaluateKey}` });
    await stack.api.put('/v1/experiments/checkout_button', checkoutButtonSpec());
    await stack.api.put('/v1/experiments/company_banner', checkoutButtonSpec({ idType: 'companyID', targeting: [] }));
    await stack.api.put('/v1/experiments/retired_banner', checkoutButtonSpec({ status: 'inactive' }));
  });

  afterAll(async () => {
    await OpenFeature.close();
    await stack?.close();
    await environment?.cleanup();
  });

  it('evaluates a flag as the split put the unit, persists it, and answers PERSISTED after the experiment changes', async () => {
    const client = await openFeatureClient('ledger', baseUrl, evaluateKey);
    const first = await client.getObjectDetails<JsonValue>('checkout_button', fallback, kiwi);
    expect(first).toMatchObject({ value: { color: 'green' }, variant: 'Test', reason: 'SPLIT', flagMetadata: { experimentVersion: 1, stickyExperimentVersion: 1 } });
    expect(first.errorCode).toBeUndefined();
    const stickySince = first.flagMetadata.stickySince;
    expect(typeof stickySince).toBe('string');
    // Saved as an evaluation with persist: true saves it: an SDK adapter loads it in Statsig's shape.
    expect((await stack.api.get('/v1/persisted/test-123:userID')).body.values.checkout_button).toMatchObject({ group_name: 'Test', json_value: { color: 'green' }, config_version: 1 });

    await stack.api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ allocationPercent: 0, groups: [{ name: 'Control', weight: 100, parameters: { color: 'blue' } }] }));
    const later = await client.getObjectDetails<JsonValue>('checkout_button', fallback, { targetingKey: 'test-123', country: 'US' });
    expect(later).toMatchObject({ value: { color: 'green' }, variant: 'Test', reason: 'PERSISTED', flagMetadata: { experimentVersion: 2, stickyExperimentVersion: 1, stickySince } });
  });

  it('answers an unknown flag FLAG_NOT_FOUND and a context without a unit INVALID_CONTEXT, with the default value', async () => {
    const client = await openFeatureClient('ledger', baseUrl, evaluateKey);
    const unknown = await client.getObjectDetails<JsonValue>('no_such_experiment', fallback, kiwi);
    expect(unknown).toMatchObject({ value: fallback, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    const noUnit = await client.getObjectDetails<JsonValue>('checkout_button', fallback, { country: 'NZ' });
    expect(noUnit).toMatchObject({ value: fallback, reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
  });

  it('refuses a bad key and a key without the evaluate scope with the provider’s auth errors', async () => {
    const seen: unknown[] = [];
    const recordError: Hook = { error: (_context, error) => void seen.push(error) };
    const stranger = await openFeatureClient('stranger', baseUrl, 'not-a-key', [recordError]);
    const refused: EvaluationDetails<JsonValue> = await stranger.getObjectDetails<JsonValue>('checkout_button', fallback, kiwi);
    expect(refused).toMatchObject({ value: fallback, reason: 'ERROR', errorCode: 'GENERAL' });
    const reader = await openFeatureClient('reader', baseUrl, readerKey, [recordError]);
    await reader.getObjectDetails<JsonValue>('checkout_button', fallback, kiwi);
    expect(seen).toEqual([expect.any(OFREPApiUnauthorizedError), expect.any(OFREPForbiddenError)]);
  });

  it('answers failures over HTTP in OFREP’s shape', async () => {
    const post = (path: string, body: unknown) => evaluator.post(`/ofrep/v1/evaluate/flags${path}`, body);
    expect(await post('/no_such_experiment', { context: kiwi })).toMatchObject({
      status: 404,
      body: { key: 'no_such_experiment', errorCode: 'FLAG_NOT_FOUND', errorDetails: expect.any(String) },
    });
    // A key no experiment could have is a flag that is not there, not a bad request.
    expect((await post('/%20spaced%20', { context: kiwi })).body).toMatchObject({ key: ' spaced ', errorCode: 'FLAG_NOT_FOUND' });
    expect(await post('/checkout_button', { context: { country: 'NZ' } })).toMatchObject({ status: 400, body: { key: 'checkout_button', errorCode: 'INVALID_CONTEXT' } });
    expect(await post('/checkout_button', { context: { ...kiwi, nested: { deep: true } } })).toMatchObject({
      status: 400,
      body: { key: 'checkout_button', errorCode: 'INVALID_CONTEXT', errorDetails: expect.stringContaining('/context/nested') },
    });
    expect(await post('/checkout_button', { context: 'kiwi' })).toMatchObject({ status: 400, body: { key: 'checkout_button', errorCode: 'INVALID_CONTEXT' } });
    const unparsable = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/checkout_button`, {
      method: 'POST',
      headers: { authorization: `Bearer ${evaluateKey}`, 'content-type': 'application/json' },
      body: '{"context":',
    });
    // Refused by the body parser, before any route runs: the ledger's own answer (providers always send JSON).
    expect({ status: unparsable.status, body: await unparsable.json() }).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    // OFREP defines no body for 401 and 403: the ledger's own error answers them.
    expect(await jsonClient(baseUrl).post('/ofrep/v1/evaluate/flags/checkout_button', { context: kiwi })).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(await jsonClient(baseUrl, { authorization: `Bearer ${readerKey}` }).post('/ofrep/v1/evaluate/flags', { context: kiwi })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
  });

  it('answers an inactive experiment DISABLED with its default parameters', async () => {
    expect((await evaluator.post('/ofrep/v1/evaluate/flags/retired_banner', { context: kiwi })).body).toEqual({
      key: 'retired_banner',
      value: { color: 'grey' },
      reason: 'DISABLED',
      metadata: { experimentVersion: 1 },
    });
  });

  it('evaluates every active experiment in bulk, the unit of each taken from the attribute its idType names', async () => {
    const bulk = await evaluator.post('/ofrep/v1/evaluate/flags', { context: { ...kiwi, country: 'US' } });
    expect(bulk.status).toBe(200);
    const byKey = Object.fromEntries((bulk.body.flags as Array<{ key: string }>).map((flag) => [flag.key, flag]));
    expect(Object.keys(byKey).sort()).toEqual(['checkout_button', 'company_banner']);
    expect(byKey.checkout_button).toMatchObject({ reason: 'PERSISTED', variant: 'Test' });
    // No companyID attribute: the targetingKey stands for the unit.
    expect(byKey.company_banner).toMatchObject({ reason: 'SPLIT', variant: expect.any(String) });
    const withCompany = await evaluator.post('/ofrep/v1/evaluate/flags', { context: { ...kiwi, companyID: 'acme' } });
    expect((await stack.api.get('/v1/persisted/acme:companyID')).body.values.company_banner).toMatchObject({
      group_name: withCompany.body.flags.find((flag: { key: string }) => flag.key === 'company_banner').variant,
    });
    expect(await evaluator.post('/ofrep/v1/evaluate/flags', { context: { country: 'NZ' } })).toMatchObject({
      status: 200,
      body: { flags: expect.arrayContaining([{ key: 'checkout_button', errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) }]) },
    });
    expect(await evaluator.post('/ofrep/v1/evaluate/flags', { context: { ...kiwi, nested: {} } })).toMatchObject({ status: 400, body: { errorCode: 'INVALID_CONTEXT' } });
  });
});
