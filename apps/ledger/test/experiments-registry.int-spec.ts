import { type INestApplication } from '@nestjs/common';
import { checkoutButtonSpec, createTestEnvironment, jsonClient, type JsonClient, type TestEnvironment } from '@ledger/testing';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

const checkoutButton = checkoutButtonSpec({ allocationPercent: 50 });

describe('the experiment registry', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let admin: JsonClient;
  let baseUrl: string;

  beforeAll(async () => {
    environment = await createTestEnvironment('experiments');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    baseUrl = await ledger.getUrl();
    admin = jsonClient(baseUrl, { authorization: `Bearer ${environment.adminKey}` });
  });

  afterAll(async () => {
    await ledger?.close();
    await environment?.cleanup();
  });

  it('publishes immutable versions and records who published what change', async () => {
    const first = await admin.put('/v1/experiments/checkout_button', checkoutButton);
    expect(first).toMatchObject({ status: 201, body: { name: 'checkout_button', version: 1, publishedBy: 'bootstrap-admin', spec: { salt: 'checkout_button', bucketVersion: 1 } } });
    const second = await admin.put('/v1/experiments/checkout_button', { ...checkoutButton, allocationPercent: 75 });
    expect(second).toMatchObject({ status: 201, body: { version: 2, diff: { allocationPercent: { from: 50, to: 75 } } } });
    expect(Object.keys(second.body.diff)).toEqual(['allocationPercent']);

    expect((await admin.get('/v1/experiments/checkout_button')).body).toMatchObject({ version: 2, spec: { allocationPercent: 75 } });
    expect((await admin.get('/v1/experiments/checkout_button/versions/1')).body).toMatchObject({ version: 1, spec: { allocationPercent: 50 } });
    expect((await admin.get('/v1/experiments/checkout_button/versions')).body.versions.map((entry: { version: number }) => entry.version)).toEqual([1, 2]);
  });

  it('numbers concurrent publishes without gaps or duplicates', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => admin.put('/v1/experiments/busy', { ...checkoutButton, allocationPercent: index })));
    expect(answers.map((answer) => answer.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses an invalid spec with every problem listed, and publishes nothing', async () => {
    const response = await admin.put('/v1/experiments/broken', { ...checkoutButton, status: 'paused', groups: [{ name: 'A', weight: 70 }] });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_EXPERIMENT_SPEC');
    expect(response.body.error.details.problems).toEqual(expect.arrayContaining([expect.stringContaining('/status')]));
    expect(await admin.get('/v1/experiments/broken')).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_EXPERIMENT' } } });
  });

  it('needs experiments:write to publish', async () => {
    const reader = (await admin.post('/v1/api-keys', { name: 'evaluator', scopes: ['evaluate'] })).body.key;
    const client = jsonClient(baseUrl, { authorization: `Bearer ${reader}` });
    expect((await client.put('/v1/experiments/checkout_button', checkoutButton)).status).toBe(403);
    expect((await client.get('/v1/experiments/checkout_button')).status).toBe(200);
  });
});
