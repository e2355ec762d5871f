import { type INestApplication } from '@nestjs/common';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { checkoutButtonSpec, createTestEnvironment, jsonClient, type JsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { AUDIT_PROTO, createLedgerApp, PROTO_ROOT } from '../src/ledger.app';

type Call = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: any) => void) => void;
type AuditClient = Record<'Audit' | 'Explain' | 'Assignments', Call> & { close(): void };

describe('the audit trail over gRPC', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication;
  let api: JsonClient;
  let client: AuditClient;

  const call = (method: 'Audit' | 'Explain' | 'Assignments', request: object, key: string = environment.adminKey) =>
    new Promise<{ error: ServiceError | null; response: any }>((resolve) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${key}`);
      client[method](request, metadata, (error, response) => resolve({ error, response }));
    });

  beforeAll(async () => {
    environment = await createTestEnvironment('grpc_audit');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    api = jsonClient(await ledger.getUrl(), { authorization: `Bearer ${environment.adminKey}` });
    // Like an outside client: the published .proto, snake_case fields, 64-bit integers as strings.
    const definition = loadSync([AUDIT_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
    const pkg = loadPackageDefinition(definition) as any;
    client = new pkg.assignment_ledger.v1.AuditService(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await projector?.close();
    await ledger?.close();
    await environment?.cleanup();
  });

  it("lists a unit's history with each entry's outcome and cause, as the HTTP route does, page by page", async () => {
    const key = 'grpc-audited:userID';
    expect((await api.put(`/v1/persisted/${key}/exp_a`, stickyValueFor('Control'), { 'x-request-id': 'req-grpc-save' })).status).toBe(201);
    expect((await api.put(`/v1/persisted/${key}/exp_a`, stickyValueFor('Test'))).body).toMatchObject({ outcome: 'already_sticky' });
    expect((await api.delete(`/v1/persisted/${key}/exp_a?reason=explicit`)).body).toMatchObject({ outcome: 'deleted' });
    expect((await api.put(`/v1/persisted/${key}/exp_b`, stickyValueFor('Test'))).status).toBe(201);

    const trail = await call('Audit', { key });
    expect(trail.error).toBeNull();
    expect(trail.response.entries.map((entry: any) => [entry.type, entry.experiment, entry.outcome, entry.group_name])).toEqual([
      ['AUDIT_ENTRY_TYPE_STICKY_VALUE_SAVED', 'exp_a', 'AUDIT_OUTCOME_SAVED', 'Control'],
      ['AUDIT_ENTRY_TYPE_STICKY_VALUE_DELETED', 'exp_a', 'AUDIT_OUTCOME_DELETED', 'Control'],
      ['AUDIT_ENTRY_TYPE_STICKY_VALUE_SAVED', 'exp_b', 'AUDIT_OUTCOME_SAVED', 'Test'],
    ]);
    expect(trail.response.entries[0].cause).toEqual({ source: 'storage_api', api_key_id: expect.any(String), request_id: 'req-grpc-save', trace_id: '' });
    expect(trail.response.entries[0].details.fields.evaluated.boolValue).toBe(false);
    expect(trail.response.next_cursor).toBe('');

    // The same entries, and event ids, as the HTTP route answers.
    const overHttp = await api.get(`/v1/audit/${key}`);
    expect(trail.response.entries.map((entry: any) => entry.event_id)).toEqual(overHttp.body.entries.map((entry: any) => entry.eventId));

    expect((await call('Audit', { key, experiment: 'exp_a' })).response.entries).toHaveLength(2);

    const pages: string[] = [];
    let cursor = '';
    do {
      const page = await call('Audit', { key, limit: 1, cursor });
      expect(page.response.entries).toHaveLength(1);
      pages.push(page.response.entries[0].event_id);
      cursor = page.response.next_cursor;
    } while (cursor);
    expect(pages).toEqual(overHttp.body.entries.map((entry: any) => entry.eventId));

    const badCursor = await call('Audit', { key, cursor: 'bm90LWEtY3Vyc29y' });
    expect(badCursor.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badCursor.error?.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
    expect((await call('Audit', { key, limit: 1001 })).error?.code).toBe(status.INVALID_ARGUMENT);
    expect((await call('Audit', { key, limit: -1 })).error?.code).toBe(status.INVALID_ARGUMENT);
  });

  it('explains a unit sticky after the experiment changed, in the sentence the HTTP route answers', async () => {
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec());
    const first = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'test-123', country: 'NZ' } });
    expect(first.body).toMatchObject({ groupName: 'Test', reason: 'Evaluated' });
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ allocationPercent: 10, targeting: [] }));

    const explained = await call('Explain', { key: 'test-123:userID', experiment: 'checkout_button' });
    expect(explained.error).toBeNull();
    expect(explained.response).toMatchObject({ key: 'test-123:userID', experiment: 'checkout_button', sticky: true, group: 'Test', since: first.body.sticky.savedAt });
    expect(explained.response.explanation).toMatch(
      /^test-123 is in Test since \d{4}-\d{2}-\d{2} because it was first evaluated under version 1, allocation bucket 8026 below 100\.00 %; evaluated now under version 2 \(allocation 10\.00 %\) it would be NotAllocated, so the persisted value keeps it in Test\.$/,
    );
    expect(explained.response.because[0].fields.fact.stringValue).toBe('Saved');
    expect(explained.response.if_evaluated_now.fields.answer.structValue.fields.reason.stringValue).toBe('Persisted');

    const before = await call('Explain', { key: 'test-123:userID', experiment: 'checkout_button', as_of: '2000-01-01T00:00:00Z' });
    expect(before.response).toMatchObject({ sticky: false, group: '', since: '', as_of: '2000-01-01T00:00:00.000Z' });
    expect(before.response.explanation).toContain('never');

    const badTime = await call('Explain', { key: 'test-123:userID', experiment: 'checkout_button', as_of: 'yesterday' });
    expect(badTime.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badTime.error?.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
  });

  it("counts an experiment's sticky units per group and its saves and deletes per day", async () => {
    for (const unit of ['c1', 'c2', 'c3']) {
      expect((await api.put(`/v1/persisted/grpc-${unit}:userID/grpc_counted`, stickyValueFor(unit === 'c3' ? 'Test' : 'Control'))).status).toBe(201);
    }
    expect((await api.delete('/v1/persisted/grpc-c3:userID/grpc_counted')).body).toMatchObject({ outcome: 'deleted' });

    const counts = await call('Assignments', { experiment: 'grpc_counted' });
    expect(counts.error).toBeNull();
    expect(counts.response).toEqual({
      experiment: 'grpc_counted',
      groups: [{ group: 'Control', units: '2' }],
      days: [{ day: new Date().toISOString().slice(0, 10), saves: '3', deletes: '1' }],
    });
    expect((await call('Assignments', { experiment: 'never_published' })).response).toEqual({ experiment: 'never_published', groups: [], days: [] });
  });

  it('answers PERMISSION_DENIED to a key without the audit scope and INVALID_ARGUMENT for a bad key or name', async () => {
    const reader = (await api.post('/v1/api-keys', { name: 'grpc-reader', scopes: ['storage:read'] })).body.key as string;
    for (const [method, request] of [
      ['Audit', { key: 'test-123:userID' }],
      ['Explain', { key: 'test-123:userID', experiment: 'checkout_button' }],
      ['Assignments', { experiment: 'checkout_button' }],
    ] as const) {
      const denied = await call(method, request, reader);
      expect(denied.error?.code).toBe(status.PERMISSION_DENIED);
      expect(denied.error?.metadata.get('error-code')).toEqual(['FORBIDDEN']);
    }

    const badKey = await call('Audit', { key: 'not-a-key' });
    expect(badKey.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badKey.error?.metadata.get('error-code')).toEqual(['INVALID_PERSISTENCE_KEY']);
    expect((await call('Explain', { key: 'not-a-key', experiment: 'checkout_button' })).error?.metadata.get('error-code')).toEqual(['INVALID_PERSISTENCE_KEY']);
    expect((await call('Explain', { key: 'test-123:userID', experiment: '' })).error?.code).toBe(status.INVALID_ARGUMENT);
    expect((await call('Assignments', { experiment: '' })).error?.code).toBe(status.INVALID_ARGUMENT);
  });
});
