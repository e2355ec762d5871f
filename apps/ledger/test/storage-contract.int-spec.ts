import { type INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { createTestEnvironment, jsonClient, type JsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

describe('the storage contract: load, save, delete on the ledger', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication | undefined;
  let api: JsonClient;
  let recordsInLog: () => Promise<number>;
  let closeAdmin: () => Promise<void>;

  const startProjector = async () => {
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
  };
  const stopProjector = async () => {
    await projector?.close();
    projector = undefined;
  };

  beforeAll(async () => {
    environment = await createTestEnvironment('storage-contract');
    environment.env.READ_YOUR_WRITES_TIMEOUT_MS = '1500';
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    await startProjector();
    api = jsonClient(await ledger.getUrl(), { authorization: `Bearer ${environment.adminKey}` });
    const admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    recordsInLog = async () => (await admin.fetchTopicOffsets(environment.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    closeAdmin = () => admin.disconnect();
  });

  afterAll(async () => {
    await closeAdmin?.();
    await stopProjector();
    await ledger?.close();
    await environment?.cleanup();
  });

  it('loads {} for a unit with no sticky values', async () => {
    expect(await api.get('/v1/persisted/nobody:userID')).toMatchObject({ status: 200, body: { key: 'nobody:userID', values: {} } });
  });

  it('keeps the first save: a later save answers already_sticky with the existing value', async () => {
    const first = await api.put('/v1/persisted/first-wins:userID/exp_a', stickyValueFor('Control'));
    expect(first).toMatchObject({ status: 201, body: { outcome: 'saved', value: stickyValueFor('Control') } });
    const second = await api.put('/v1/persisted/first-wins:userID/exp_a', stickyValueFor('Test'));
    expect(second).toMatchObject({ status: 200, body: { outcome: 'already_sticky', value: stickyValueFor('Control') } });
    expect((await api.get('/v1/persisted/first-wins:userID')).body.values).toEqual({ exp_a: stickyValueFor('Control') });
  });

  it('agrees on one group when many callers race on a first evaluation', async () => {
    const groups = Array.from({ length: 12 }, (_, index) => `G${index}`);
    const answers = await Promise.all(groups.map((group) => api.put('/v1/persisted/racer:userID/exp_race', stickyValueFor(group))));
    const saved = answers.filter((answer) => answer.body.outcome === 'saved');
    expect(saved).toHaveLength(1);
    const winner = saved[0]!.body.value;
    expect(answers.map((answer) => [answer.status, answer.body.value])).toEqual(answers.map(() => [expect.any(Number), winner]));
    expect((await api.get('/v1/persisted/racer:userID')).body.values.exp_race).toEqual(winner);
  });

  it('deletes a held value, and a delete of nothing appends nothing', async () => {
    await api.put('/v1/persisted/leaver:userID/exp_b', stickyValueFor('Test'));
    expect(await api.delete('/v1/persisted/leaver:userID/exp_b?reason=experiment_inactive')).toMatchObject({ status: 200, body: { outcome: 'deleted' } });
    expect((await api.get('/v1/persisted/leaver:userID')).body.values).toEqual({});
    const before = await recordsInLog();
    for (let i = 0; i < 5; i++) expect(await api.delete('/v1/persisted/leaver:userID/exp_b')).toMatchObject({ status: 200, body: { outcome: 'absent' } });
    expect(await recordsInLog()).toBe(before);
  });

  it('answers load as of a past time from the history', async () => {
    await api.put('/v1/persisted/traveller:userID/exp_c', stickyValueFor('Control'));
    const whileHeld = new Date().toISOString();
    await api.delete('/v1/persisted/traveller:userID/exp_c');
    expect((await api.get(`/v1/persisted/traveller:userID?asOf=${whileHeld}`)).body.values).toEqual({ exp_c: stickyValueFor('Control') });
    expect((await api.get('/v1/persisted/traveller:userID?asOf=2020-01-01T00:00:00Z')).body.values).toEqual({});
    expect((await api.get('/v1/persisted/traveller:userID')).body.values).toEqual({});
    expect(await api.get('/v1/persisted/traveller:userID?asOf=yesterday')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
  });

  it('loads many keys in one call', async () => {
    await api.put('/v1/persisted/batch-1:userID/exp_d', stickyValueFor('Control'));
    await api.put('/v1/persisted/batch-2:stableID/exp_d', stickyValueFor('Test'));
    const response = await api.post('/v1/persisted/batch-load', { keys: ['batch-1:userID', 'batch-2:stableID', 'batch-3:userID'] });
    expect(response).toMatchObject({
      status: 200,
      body: {
        results: {
          'batch-1:userID': { values: { exp_d: stickyValueFor('Control') } },
          'batch-2:stableID': { values: { exp_d: stickyValueFor('Test') } },
          'batch-3:userID': { values: {} },
        },
      },
    });
    expect(await api.post('/v1/persisted/batch-load', { keys: ['bad key'] })).toMatchObject({ status: 400 });
  });

  describe('while the projector is behind', () => {
    beforeAll(stopProjector);
    afterAll(async () => {
      if (!projector) await startProjector();
    });

    it('does not answer "absent" to a delete racing a save that is in the log but not yet projected', async () => {
      const accepted = await api.put('/v1/persisted/racing-delete:userID/exp_e', stickyValueFor('Test'), { prefer: 'respond-async' });
      expect(accepted).toMatchObject({ status: 202, body: { outcome: 'accepted' } });
      // The read model has not seen the save; judging the delete on it would drop the delete and keep the value.
      expect(await api.delete('/v1/persisted/racing-delete:userID/exp_e')).toMatchObject({ status: 503, body: { error: { code: 'PROJECTION_LAG' } } });
      await startProjector();
      expect(await api.delete('/v1/persisted/racing-delete:userID/exp_e')).toMatchObject({ status: 200, body: { outcome: 'deleted' } });
      expect((await api.get('/v1/persisted/racing-delete:userID')).body.values).toEqual({});
    });

    it('answers 503 PROJECTION_LAG with the event id when the read model does not catch up, and the write is not lost', async () => {
      await stopProjector();
      const lagging = await api.put('/v1/persisted/lagging:userID/exp_f', stickyValueFor('Control'));
      expect(lagging).toMatchObject({ status: 503, body: { error: { code: 'PROJECTION_LAG', details: { eventId: expect.any(String) } } } });
      await startProjector();
      const again = await api.put('/v1/persisted/lagging:userID/exp_f', stickyValueFor('Test'));
      expect(again).toMatchObject({ status: 200, body: { outcome: 'already_sticky', value: stickyValueFor('Control') } });
    });
  });
});
