import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { checkoutButtonSpec, createTestEnvironment, rebuildTestReadModel, jsonClient, type JsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { ledgerDataSourceOptions } from '@ledger/storage';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

/** Concurrent reads in a burst: more than the ledger's connections, so each connection serves some. */
const BURST = 8;

describe('reads after a rebuild swaps the read model in', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication;
  let dataSource: DataSource;
  let api: JsonClient;

  beforeAll(async () => {
    environment = await createTestEnvironment('reads-after-rebuild');
    // The fewest connections the ledger runs with, every one of them used by each burst of concurrent reads,
    // so the reads after the swap run where the reads before it prepared their statements.
    ledger = await createLedgerApp(loadLedgerConfig({ ...environment.env, DATABASE_POOL_SIZE: '2' }));
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    api = jsonClient(await ledger.getUrl(), { authorization: `Bearer ${environment.adminKey}` });
    dataSource = await new DataSource(ledgerDataSourceOptions({ url: environment.databaseUrl, poolSize: 2, timeoutMs: 2000, applicationName: 'rebuild-test' })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await projector?.close();
    await ledger?.close();
    await environment?.cleanup();
  });

  it('come from the swapped-in tables, not the replaced ones the same connection read before', async () => {
    expect((await api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ targeting: [] }))).status).toBe(201);
    expect((await api.put('/v1/persisted/before-swap:userID/checkout_button', stickyValueFor('Control'))).status).toBe(201);
    const burst = <T>(read: () => Promise<T>) => Promise.all(Array.from({ length: BURST }, read));
    for (const load of await burst(() => api.get('/v1/persisted/before-swap:userID'))) expect(Object.keys(load.body.values)).toEqual(['checkout_button']);
    const first = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'evaluated-before-swap' } });
    for (const again of await burst(() => api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'evaluated-before-swap' } }))) {
      expect(again.body).toMatchObject({ reason: 'Persisted', groupName: first.body.groupName });
    }

    // The replaced tables stay, so a read still bound to them would answer, from stale rows, rather than fail.
    const report = await rebuildTestReadModel(environment, dataSource, { keepReplaced: true });
    expect(report).toMatchObject({ matched: true, swapped: true });

    // Written after the swap, so only the swapped-in tables hold these.
    expect((await api.put('/v1/persisted/after-swap:userID/checkout_button', stickyValueFor('Test'))).status).toBe(201);
    for (const load of await burst(() => api.get('/v1/persisted/after-swap:userID'))) {
      expect(load.body.values).toEqual({ checkout_button: expect.objectContaining({ group_name: 'Test' }) });
    }
    const evaluated = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'evaluated-after-swap' } });
    expect(evaluated.body).toMatchObject({ reason: 'Evaluated' });
    for (const again of await burst(() => api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'evaluated-after-swap' } }))) {
      expect(again.body).toMatchObject({ reason: 'Persisted', groupName: evaluated.body.groupName, sticky: { eventId: evaluated.body.sticky.eventId } });
    }
  });
});
