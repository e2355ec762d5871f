import { type INestApplication } from '@nestjs/common';
import { createTestEnvironment, eventually, jsonClient, type JsonClient, OwnedKafka, OwnedPostgres, stickyValueFor, type TestEnvironment, uniqueName } from '@ledger/testing';
import { Client } from 'pg';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

/** An outage must be answered, not waited out: well past DEPENDENCY_TIMEOUT_MS (2 s) means a hang. */
const ANSWER_BOUND_MS = 6_000;

async function timed<T>(work: Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work;
  return { result, ms: Date.now() - started };
}

describe('when a dependency goes down', () => {
  describe('the broker', () => {
    let environment: TestEnvironment;
    let broker: OwnedKafka;
    let stack: LedgerStack;
    let ledger: INestApplication;
    let api: JsonClient;

    beforeAll(async () => {
      environment = await createTestEnvironment('broker-outage');
      broker = await OwnedKafka.create();
      stack = await startLedgerStack({ ...environment.env, KAFKA_BROKERS: broker.brokers }, environment.adminKey);
      ({ ledger, api } = stack);
    });

    afterAll(async () => {
      await stack?.close();
      await broker?.destroy();
      await environment?.cleanup();
    });

    it('answers writes 503 fast, keeps serving reads, and loses nothing acknowledged', async () => {
      const acknowledged = ['a', 'b', 'c'].map((name) => `${name}-before:userID`);
      for (const key of acknowledged) expect((await api.put(`/v1/persisted/${key}/exp`, stickyValueFor('Control'))).status).toBe(201);

      await broker.stop();
      const write = await timed(api.put('/v1/persisted/during:userID/exp', stickyValueFor('Test')));
      expect(write.result).toMatchObject({ status: 503, body: { error: { code: 'BROKER_UNAVAILABLE' } } });
      expect(write.ms).toBeLessThan(ANSWER_BOUND_MS);
      const remove = await timed(api.delete(`/v1/persisted/${acknowledged[0]}/exp`));
      expect(remove.result).toMatchObject({ status: 503, body: { error: { code: 'BROKER_UNAVAILABLE' } } });
      expect(remove.ms).toBeLessThan(ANSWER_BOUND_MS);
      for (const key of acknowledged) expect(await api.get(`/v1/persisted/${key}`)).toMatchObject({ status: 200, body: { values: { exp: stickyValueFor('Control') } } });
      expect((await jsonClient(await ledger.getUrl()).get('/health/ready')).status).toBe(503);

      await broker.start();
      const after = await eventually(
        async () => {
          const response = await api.put('/v1/persisted/after:userID/exp', stickyValueFor('Test'));
          return response.status === 503 ? undefined : response;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'writes to work again after the broker restarts' },
      );
      // An attempt that timed out while the broker came back may have reached the log; either way the value is there.
      expect(after).toMatchObject({ status: expect.any(Number), body: { value: stickyValueFor('Test') } });
      expect([200, 201]).toContain(after.status);
      for (const key of acknowledged) expect((await api.get(`/v1/persisted/${key}`)).body.values).toEqual({ exp: stickyValueFor('Control') });
    });
  });

  describe('the database', () => {
    let environment: TestEnvironment;
    let database: OwnedPostgres;
    let stack: LedgerStack;
    let api: JsonClient;
    let databaseUrl: string;

    beforeAll(async () => {
      environment = await createTestEnvironment('database-outage');
      database = await OwnedPostgres.create();
      databaseUrl = database.urlFor(uniqueName('ledger'));
      stack = await startLedgerStack({ ...environment.env, DATABASE_URL: databaseUrl, READ_YOUR_WRITES_TIMEOUT_MS: '1000' }, environment.adminKey);
      ({ api } = stack);
    });

    afterAll(async () => {
      await stack?.close();
      await database?.destroy();
      await environment?.cleanup();
    });

    it('answers reads 503 fast, the projector waits, and resumes by itself with nothing lost', async () => {
      expect((await api.put('/v1/persisted/before:userID/exp', stickyValueFor('Control'))).status).toBe(201);

      await database.stop();
      const read = await timed(api.get('/v1/persisted/before:userID'));
      expect(read.result).toMatchObject({ status: 503, body: { error: { code: 'DATABASE_UNAVAILABLE' } } });
      expect(read.ms).toBeLessThan(ANSWER_BOUND_MS);
      // The log still takes writes; the projector holds them until the database is back.
      const during = await api.put('/v1/persisted/during:userID/exp', stickyValueFor('Test'), { prefer: 'respond-async' });
      expect(during).toMatchObject({ status: 202, body: { outcome: 'accepted' } });
      // A waiting save is in the log (its event id says so) but cannot be read back until the database returns.
      const waiting = await timed(api.put('/v1/persisted/during-sync:userID/exp', stickyValueFor('Test')));
      expect(waiting.result).toMatchObject({ status: 503, body: { error: { code: 'PROJECTION_LAG', details: { eventId: expect.any(String) } } } });
      expect(waiting.ms).toBeLessThan(ANSWER_BOUND_MS);

      await database.start();
      // The two keys may sit on different partitions, applied in either order: wait for both.
      const values = await eventually(
        async () => {
          const responses = await Promise.all(['during', 'during-sync'].map((unit) => api.get(`/v1/persisted/${unit}:userID`)));
          return responses.every((response) => response.status === 200 && response.body.values.exp) ? responses.map((response) => response.body.values) : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the projector to apply the writes made during the outage' },
      );
      expect(values).toEqual([{ exp: stickyValueFor('Test') }, { exp: stickyValueFor('Test') }]);
      expect((await api.get('/v1/persisted/before:userID')).body.values).toEqual({ exp: stickyValueFor('Control') });
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      const { rows } = await client.query('SELECT count(*)::int AS n FROM read_model.sticky_value_history');
      await client.end();
      expect(rows[0].n).toBe(3);
    });
  });
});
