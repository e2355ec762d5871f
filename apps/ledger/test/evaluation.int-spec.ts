import { type INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { decodeLedgerEvent } from '@ledger/events';
import { checkoutButtonSpec, createTestEnvironment, eventually, jsonClient, type JsonClient, readTopic, type TestEnvironment } from '@ledger/testing';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

// With the salt "checkout_button", test-123 has allocation bucket 8026 and group bucket 6974 (Test).
const kiwi = { userID: 'test-123', country: 'NZ' };

describe('evaluation with persistence, decided on the server', () => {
  let environment: TestEnvironment;
  let ledgers: INestApplication[];
  let projector: INestApplication;
  let api: JsonClient;
  let second: JsonClient;

  beforeAll(async () => {
    environment = await createTestEnvironment('evaluation');
    ledgers = [await createLedgerApp(loadLedgerConfig(environment.env)), await createLedgerApp(loadLedgerConfig({ ...environment.env, GRPC_PORT: '0' }))];
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    api = jsonClient(await ledgers[0]!.getUrl(), { authorization: `Bearer ${environment.adminKey}` });
    second = jsonClient(await ledgers[1]!.getUrl(), { authorization: `Bearer ${environment.adminKey}` });
  });

  afterAll(async () => {
    await projector?.close();
    for (const ledger of ledgers ?? []) await ledger.close();
    await environment?.cleanup();
  });

  it('saves the first evaluation, then keeps the user in that group whatever later versions say', async () => {
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec());
    const first = await api.post('/v1/experiments/checkout_button/evaluate', { user: kiwi });
    expect(first).toMatchObject({
      status: 200,
      body: {
        experiment: 'checkout_button',
        version: 1,
        groupName: 'Test',
        reason: 'Evaluated',
        parameters: { color: 'green' },
        buckets: { allocation: 8026, group: 6974 },
        sticky: { key: 'test-123:userID', experimentVersion: 1 },
      },
    });
    // An SDK adapter loads what the evaluation saved, in Statsig's shape.
    expect((await api.get('/v1/persisted/test-123:userID')).body.values.checkout_button).toMatchObject({ group_name: 'Test', json_value: { color: 'green' }, config_version: 1, value: true });

    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ allocationPercent: 0, groups: [{ name: 'Control', weight: 100, parameters: { color: 'blue' } }] }));
    const later = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'test-123', country: 'US' } });
    expect(later.body).toMatchObject({ version: 2, groupName: 'Test', reason: 'Persisted', parameters: { color: 'green' }, sticky: { experimentVersion: 1, eventId: first.body.sticky.eventId } });

    const enforced = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'test-123', country: 'US' }, enforceTargeting: true });
    expect(enforced.body).toMatchObject({ reason: 'TargetingFailed', groupName: null, parameters: { color: 'grey' }, sticky: { eventId: first.body.sticky.eventId } });
  });

  it('records why: the saved event carries the version, rule, group, buckets, targeting and caller', async () => {
    const events = (await readTopic(environment.brokers, environment.topic, 1)).map((record) => decodeLedgerEvent(record.value));
    expect(events[0]).toMatchObject({
      type: 'StickyValueSaved',
      version: 2,
      data: {
        persistenceKey: 'test-123:userID',
        configName: 'checkout_button',
        assignment: {
          experiment: 'checkout_button',
          experimentVersion: 1,
          bucketVersion: 1,
          allocationPercent: 100,
          ruleId: 'Test',
          groupName: 'Test',
          buckets: { allocation: 8026, group: 6974 },
          targeting: { passed: true },
          enforceTargeting: false,
          reason: 'Evaluated',
        },
      },
      metadata: { cause: { source: 'evaluation', apiKeyId: 'bootstrap-admin', requestId: expect.any(String) } },
    });
  });

  it('deletes the sticky value when no persisted values are given, and when the experiment is no longer active', async () => {
    await api.put('/v1/experiments/pricing', checkoutButtonSpec());
    await api.post('/v1/experiments/pricing/evaluate', { user: { userID: 'u-9', country: 'NZ' } });
    const live = await api.post('/v1/experiments/pricing/evaluate', { user: { userID: 'u-9', country: 'NZ' }, persist: false });
    expect(live.body).toMatchObject({ reason: 'Evaluated', sticky: null });
    expect((await api.get('/v1/persisted/u-9:userID')).body.values).toEqual({});

    await api.post('/v1/experiments/pricing/evaluate', { user: { userID: 'u-9', country: 'NZ' } });
    await api.put('/v1/experiments/pricing', checkoutButtonSpec({ status: 'inactive' }));
    const inactive = await api.post('/v1/experiments/pricing/evaluate', { user: { userID: 'u-9', country: 'NZ' } });
    expect(inactive.body).toMatchObject({ reason: 'Inactive', groupName: null, parameters: { color: 'grey' }, sticky: null });
    expect((await api.get('/v1/persisted/u-9:userID')).body.values).toEqual({});
  });

  it('gives every racing first evaluation, on two ledger instances, the same group', async () => {
    await api.put('/v1/experiments/racing', checkoutButtonSpec({ salt: 'a' }));
    const racing = Array.from({ length: 6 }, (_, index) => (index % 2 ? second : api).post('/v1/experiments/racing/evaluate', { user: { userID: 'racer', country: 'NZ' } }));
    // A new version with another salt arrives while they are in flight: groups may differ by version, answers may not.
    const republish = api.put('/v1/experiments/racing', checkoutButtonSpec({ salt: 'b' }));
    const answers = await Promise.all([...racing, republish.then(() => api.post('/v1/experiments/racing/evaluate', { user: { userID: 'racer', country: 'NZ' } }))]);
    const groups = new Set(answers.map((answer) => answer.body.groupName));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(groups.size).toBe(1);
    expect((await api.get('/v1/persisted/racer:userID')).body.values.racing.group_name).toBe([...groups][0]);
  });

  it("drops every instance's cached spec as soon as any instance publishes a new version", async () => {
    const outsider = { user: { userID: 'reader', country: 'US' } };
    await api.put('/v1/experiments/cached', checkoutButtonSpec());
    expect((await second.post('/v1/experiments/cached/evaluate', outsider)).body).toMatchObject({ version: 1, reason: 'TargetingFailed' });
    expect((await second.post('/v1/evaluate', outsider)).body.results.map((result: { experiment: string }) => result.experiment)).toContain('cached');

    await api.put('/v1/experiments/cached', checkoutButtonSpec({ status: 'inactive' }));
    // The notice crosses Postgres after the publishing call returns: wait for it, far below the cache's age limit.
    const fresh = await eventually(
      async () => {
        const { body } = await second.post('/v1/experiments/cached/evaluate', outsider);
        return body.version === 2 ? body : undefined;
      },
      { timeoutMs: 5_000, what: 'the second instance evaluating version 2' },
    );
    expect(fresh.reason).toBe('Inactive');
    expect((await second.post('/v1/evaluate', outsider)).body.results.map((result: { experiment: string }) => result.experiment)).not.toContain('cached');
  });

  it("answers a sticky hit from each instance's cache, and drops it when the other instance deletes the value", async () => {
    const body = { user: { userID: 'followed', country: 'NZ' } };
    await api.put('/v1/experiments/followed', checkoutButtonSpec());
    expect((await api.post('/v1/experiments/followed/evaluate', body)).body.reason).toBe('Evaluated');
    for (let read = 0; read < 2; read += 1) expect((await second.post('/v1/experiments/followed/evaluate', body)).body.reason).toBe('Persisted');

    expect((await api.delete('/v1/persisted/followed:userID/followed')).body.outcome).toBe('deleted');
    // The projector's notice reaches the second instance a moment after the first one answered.
    const fresh = await eventually(
      async () => {
        const { body: answer } = await second.post('/v1/experiments/followed/evaluate', body);
        return answer.reason === 'Persisted' ? undefined : answer;
      },
      { timeoutMs: 5_000, what: 'the second instance seeing the delete' },
    );
    expect(fresh).toMatchObject({ reason: 'Evaluated', sticky: { key: 'followed:userID' } });
  });

  it('evaluates every active experiment for a user in one call', async () => {
    const response = await api.post('/v1/evaluate', { user: { userID: 'page-user', country: 'NZ' } });
    expect(response.status).toBe(200);
    expect(response.body.results.map((result: { experiment: string }) => result.experiment)).toEqual(['checkout_button', 'followed', 'racing']);
  });

  it('answers 404 for an unknown experiment and 400 for an invalid user, writing nothing', async () => {
    const admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const recordsInLog = async () => (await admin.fetchTopicOffsets(environment.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    const before = await recordsInLog();
    expect(await api.post('/v1/experiments/nope/evaluate', { user: kiwi })).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_EXPERIMENT' } } });
    expect(await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 5 } })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect(await recordsInLog()).toBe(before);
    await admin.disconnect();
  });
});
