import { type INestApplication } from '@nestjs/common';
import { decodeLedgerEvent } from '@ledger/events';
import { createTestEnvironment, jsonClient, type JsonClient, readTopic, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

describe('API keys and scopes', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let baseUrl: string;
  let admin: JsonClient;
  const as = (key: string) => jsonClient(baseUrl, { authorization: `Bearer ${key}` });

  beforeAll(async () => {
    environment = await createTestEnvironment('api-keys');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    baseUrl = await ledger.getUrl();
    admin = as(environment.adminKey);
  });

  afterAll(async () => {
    await ledger?.close();
    await environment?.cleanup();
  });

  it('answers 401 UNAUTHENTICATED without a key or with a wrong one', async () => {
    for (const client of [jsonClient(baseUrl), as('nope'), as(`${environment.adminKey}x`), as('alk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')]) {
      expect(await client.get('/v1/persisted/u:userID')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: expect.any(String) } } });
    }
  });

  it('serves health without a key', async () => {
    expect((await jsonClient(baseUrl).get('/health/live')).status).toBe(200);
  });

  it('creates a key with scopes, shows its secret once, and enforces the scopes', async () => {
    const created = await admin.post('/v1/api-keys', { name: 'sdk adapter (read only)', scopes: ['storage:read'] });
    expect(created).toMatchObject({ status: 201, body: { id: expect.any(String), key: expect.stringMatching(/^alk_/), scopes: ['storage:read'], createdBy: 'bootstrap-admin' } });
    const reader = as(created.body.key);
    expect((await reader.get('/v1/persisted/u:userID')).status).toBe(200);
    expect(await reader.put('/v1/persisted/u:userID/exp', stickyValueFor('Control'))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await reader.post('/v1/api-keys', { name: 'escalate', scopes: ['admin'] })).toMatchObject({ status: 403 });
    const listed = await admin.get('/v1/api-keys');
    expect(listed.body.apiKeys).toEqual([expect.objectContaining({ id: created.body.id, name: 'sdk adapter (read only)' })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
  });

  it('records the calling key on the events it writes', async () => {
    const writer = (await admin.post('/v1/api-keys', { name: 'writer', scopes: ['storage:write'] })).body;
    // Without the projector running, an async save answers as soon as the event is in the log.
    const accepted = await as(writer.key).put('/v1/persisted/who:userID/exp', stickyValueFor('Test'), { prefer: 'respond-async' });
    expect(accepted).toMatchObject({ status: 202, body: { outcome: 'accepted', eventId: expect.any(String) } });
    const events = (await readTopic(environment.brokers, environment.topic, 1)).map((message) => decodeLedgerEvent(message.value));
    expect(events).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ eventId: accepted.body.eventId, cause: expect.objectContaining({ apiKeyId: writer.id }) }) })]);
  });

  it('stops accepting a revoked key', async () => {
    const created = (await admin.post('/v1/api-keys', { name: 'short-lived', scopes: ['storage:read'] })).body;
    expect((await as(created.key).get('/v1/persisted/u:userID')).status).toBe(200);
    expect(await admin.delete(`/v1/api-keys/${created.id}`)).toMatchObject({ status: 200, body: { revokedAt: expect.any(String) } });
    expect((await as(created.key).get('/v1/persisted/u:userID')).status).toBe(401);
  });

  it('refuses an invalid key request with every problem listed', async () => {
    const response = await admin.post('/v1/api-keys', { name: '', scopes: ['storage:everything'] });
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', details: { problems: expect.arrayContaining([expect.stringContaining('/name')]) } } } });
  });
});
