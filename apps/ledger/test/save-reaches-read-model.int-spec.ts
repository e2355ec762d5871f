import { type INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { decodeLedgerEvent } from '@ledger/events';
import { createTestEnvironment, readTopic, type TestEnvironment } from '@ledger/testing';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadProjectorConfig } from '../../projector/src/config';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

const stickyValues = {
  value: true,
  json_value: { button: 'green' },
  rule_id: '2Xb4Sa',
  group_name: 'Test',
  secondary_exposures: [],
  time: 1_764_000_000_000,
  configVersion: 4,
};

describe('a save travels from HTTP through the Kafka log into the Postgres read model', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication;
  let database: Client;
  let baseUrl: string;

  beforeAll(async () => {
    environment = await createTestEnvironment('save-slice');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    baseUrl = await ledger.getUrl();
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await database?.end();
    await projector?.close();
    await ledger?.close();
    await environment?.cleanup();
  });

  it('appends a valid, keyed event and the projector writes the row', async () => {
    const response = await fetch(`${baseUrl}/v1/persisted/test-123:userID/checkout_button`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'slice-request-1',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        authorization: `Bearer ${environment.adminKey}`,
      },
      body: JSON.stringify(stickyValues),
    });
    // Read your writes: the answer comes once the projector has applied the event.
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('slice-request-1');
    const appended = (await response.json()) as { outcome: string; eventId: string };
    expect(appended.outcome).toBe('saved');

    const { rows } = await database.query('SELECT * FROM read_model.sticky_values WHERE persistence_key = $1', ['test-123:userID']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      config_name: 'checkout_button',
      saved_event_id: appended.eventId,
      sticky_values: {
        value: true,
        json_value: { button: 'green' },
        rule_id: '2Xb4Sa',
        group_name: 'Test',
        secondary_exposures: [],
        undelegated_secondary_exposures: null,
        config_delegate: null,
        explicit_parameters: null,
        time: 1_764_000_000_000,
        config_version: 4,
      },
    });

    // What analytics would read: the record on the topic, keyed by persistence key, valid against the published contract.
    const [message] = await readTopic(environment.brokers, environment.topic, 1);
    const record = { key: String(message!.key), value: message!.value, eventType: String(message!.headers?.['event-type']) };
    expect(record.key).toBe('test-123:userID');
    expect(record.eventType).toBe('StickyValueSaved');
    expect(decodeLedgerEvent(record.value)).toMatchObject({
      metadata: {
        eventId: appended.eventId,
        cause: { source: 'storage_api', apiKeyId: 'bootstrap-admin', requestId: 'slice-request-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      },
    });
  });

  it('refuses a malformed key with 400 INVALID_PERSISTENCE_KEY and appends nothing', async () => {
    const admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const recordsInLog = async () => (await admin.fetchTopicOffsets(environment.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    const before = await recordsInLog();
    const response = await fetch(`${baseUrl}/v1/persisted/no-id-type/checkout_button`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${environment.adminKey}` },
      body: JSON.stringify(stickyValues),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'INVALID_PERSISTENCE_KEY', message: expect.any(String) } });
    const after = await recordsInLog();
    await admin.disconnect();
    expect(after).toBe(before);
  });

  it.each([
    { label: 'an unknown field', body: { ...stickyValues, colour: 'red' }, status: 400, code: 'INVALID_REQUEST' },
    { label: 'a wrong type', body: { ...stickyValues, value: 'yes' }, status: 400, code: 'INVALID_REQUEST' },
    { label: 'a body over 64 KiB', body: { ...stickyValues, json_value: { blob: 'x'.repeat(70 * 1024) } }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  ])('answers $label with $status $code', async ({ body, status, code }) => {
    const response = await fetch(`${baseUrl}/v1/persisted/test-9:userID/checkout_button`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${environment.adminKey}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('answers readiness once the broker and the database answer', async () => {
    for (const app of [ledger, projector]) {
      const response = await fetch(`${await app.getUrl()}/health/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' }, database: { status: 'up' } } });
    }
  });
});
