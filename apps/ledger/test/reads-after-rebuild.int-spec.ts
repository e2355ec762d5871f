import { DataSource } from 'typeorm';
import { checkoutButtonSpec, createTestEnvironment, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { createKafka, ledgerDataSourceOptions } from '@ledger/storage';
import { rebuildReadModel } from '../../projector/src/rebuild/read-model-rebuild';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
/** More concurrent reads than the ledger has database connections, so every connection has run them. */
const READS = 12;

describe('reads after a rebuild swaps the read model in', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let dataSource: DataSource;

  beforeAll(async () => {
    environment = await createTestEnvironment('reads-after-rebuild');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    dataSource = await new DataSource(ledgerDataSourceOptions({ url: environment.databaseUrl, poolSize: 2, timeoutMs: 2000, applicationName: 'rebuild-test' })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await stack?.close();
    await environment?.cleanup();
  });

  it('come from the swapped-in tables, on connections that read the replaced ones before', async () => {
    const { api } = stack;
    expect((await api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ targeting: [] }))).status).toBe(201);
    expect((await api.put('/v1/persisted/before-swap:userID/checkout_button', stickyValueFor('Control'))).status).toBe(201);
    const loads = async (key: string) => Promise.all(Array.from({ length: READS }, () => api.get(`/v1/persisted/${key}`)));
    for (const load of await loads('before-swap:userID')) expect(Object.keys(load.body.values)).toEqual(['checkout_button']);
    const evaluations = async (userID: string) => Promise.all(Array.from({ length: READS }, () => api.post('/v1/experiments/checkout_button/evaluate', { user: { userID } })));
    await evaluations('evaluated-before-swap');

    const report = await rebuildReadModel({
      dataSource,
      kafka: createKafka({ brokers: environment.brokers.split(','), clientId: 'rebuild-test', timeoutMs: 2000 }, quiet),
      topic: environment.topic,
      projectorGroupId: environment.groupId,
      acceptDifferences: false,
      keepReplaced: false,
      log: () => undefined,
    });
    expect(report).toMatchObject({ matched: true, swapped: true });

    // Written after the swap, so only the swapped-in tables hold it.
    expect((await api.put('/v1/persisted/after-swap:userID/checkout_button', stickyValueFor('Test'))).status).toBe(201);
    for (const load of await loads('after-swap:userID')) expect(load.body.values).toEqual({ checkout_button: expect.objectContaining({ group_name: 'Test' }) });
    for (const load of await loads('before-swap:userID')) expect(Object.keys(load.body.values)).toEqual(['checkout_button']);

    const first = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'evaluated-after-swap' } });
    expect(first.body).toMatchObject({ reason: 'Evaluated' });
    for (const later of await evaluations('evaluated-after-swap')) {
      expect(later.body).toMatchObject({ reason: 'Persisted', groupName: first.body.groupName, sticky: { eventId: first.body.sticky.eventId } });
    }
  });
});
