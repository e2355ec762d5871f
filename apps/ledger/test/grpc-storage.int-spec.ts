import { type INestApplication } from '@nestjs/common';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { checkoutButtonSpec, createTestEnvironment, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { toStruct } from '../src/grpc/protobuf-struct';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp, EVALUATION_PROTO, PERSISTED_VALUES_PROTO, PROTO_ROOT } from '../src/ledger.app';
import { jsonClient } from '@ledger/testing';

type Call = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: any) => void) => void;

describe('the storage contract over gRPC', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication;
  let client: Record<'Load' | 'BatchLoad' | 'Save' | 'Delete', Call> & { close(): void };
  let evaluation: Record<'Evaluate' | 'EvaluateAll' | 'GetExperiment', Call> & { close(): void };

  const invoke = (target: any, method: string, request: object, key: string | null) =>
    new Promise<{ error: ServiceError | null; response: any }>((resolve) => {
      const metadata = new Metadata();
      if (key) metadata.set('authorization', `Bearer ${key}`);
      (target[method] as Call).call(target, request, metadata, (error, response) => resolve({ error, response }));
    });
  const call = (method: keyof typeof client, request: object, key: string | null = environment.adminKey) => invoke(client, method, request, key);
  const evaluate = (method: keyof typeof evaluation, request: object) => invoke(evaluation, method, request, environment.adminKey);

  beforeAll(async () => {
    environment = await createTestEnvironment('grpc');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    // Like an outside client: plain JSON objects for Structs, as the published .proto describes them.
    const definition = loadSync([PERSISTED_VALUES_PROTO, EVALUATION_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
    const pkg = loadPackageDefinition(definition) as any;
    client = new pkg.assignment_ledger.v1.PersistedValues(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    evaluation = new pkg.assignment_ledger.v1.Evaluation(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    evaluation?.close();
    await projector?.close();
    await ledger?.close();
    await environment?.cleanup();
  });

  it('saves, keeps the first value, loads, batch-loads and deletes', async () => {
    const saved = await call('Save', { key: 'grpc-1:userID', config_name: 'exp', sticky_values: toStruct(stickyValueFor('Control')) });
    expect(saved.error).toBeNull();
    expect(saved.response).toMatchObject({ outcome: 'SAVED', event_id: expect.any(String) });
    const second = await call('Save', { key: 'grpc-1:userID', config_name: 'exp', sticky_values: toStruct(stickyValueFor('Test')) });
    expect(second.response.outcome).toBe('ALREADY_STICKY');
    expect(second.response.value.fields.group_name.stringValue).toBe('Control');

    const loaded = await call('Load', { key: 'grpc-1:userID' });
    expect(loaded.response.values.fields.exp.structValue.fields.group_name.stringValue).toBe('Control');
    expect(loaded.response.values.fields.exp.structValue.fields.undelegated_secondary_exposures.nullValue).toBe('NULL_VALUE');

    const batch = await call('BatchLoad', { keys: ['grpc-1:userID', 'grpc-2:userID'] });
    expect(batch.response.results.map((result: { key: string; values: { fields: object } }) => [result.key, Object.keys(result.values.fields)])).toEqual([
      ['grpc-1:userID', ['exp']],
      ['grpc-2:userID', []],
    ]);

    expect((await call('Delete', { key: 'grpc-1:userID', config_name: 'exp', reason: 'experiment_inactive' })).response.outcome).toBe('DELETED');
    expect((await call('Delete', { key: 'grpc-1:userID', config_name: 'exp' })).response.outcome).toBe('ABSENT');
  });

  it('answers UNAUTHENTICATED without a key and INVALID_ARGUMENT with the machine code for bad input', async () => {
    const anonymous = await call('Load', { key: 'grpc-1:userID' }, null);
    expect(anonymous.error?.code).toBe(status.UNAUTHENTICATED);
    expect(anonymous.error?.metadata.get('error-code')).toEqual(['UNAUTHENTICATED']);

    const badKey = await call('Save', { key: 'no-id-type', config_name: 'exp', sticky_values: toStruct(stickyValueFor('Control')) });
    expect(badKey.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badKey.error?.metadata.get('error-code')).toEqual(['INVALID_PERSISTENCE_KEY']);

    const badValue = await call('Save', { key: 'grpc-3:userID', config_name: 'exp', sticky_values: toStruct({ value: 'yes' }) });
    expect(badValue.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badValue.error?.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
  });

  it('evaluates with persistence and serves experiments over gRPC', async () => {
    const http = jsonClient(await ledger.getUrl(), { authorization: `Bearer ${environment.adminKey}` });
    await http.put('/v1/experiments/checkout_button', checkoutButtonSpec({ targeting: [] }));
    const first = await evaluate('Evaluate', { experiment: 'checkout_button', user: toStruct({ userID: 'test-123' }) });
    expect(first.error).toBeNull();
    expect(first.response).toMatchObject({
      version: 1,
      group_name: 'Test',
      reason: 'Evaluated',
      buckets: { allocation: 8026, group: 6974 },
      sticky: { key: 'test-123:userID', experiment_version: 1 },
    });
    expect(first.response.parameters.fields.color.stringValue).toBe('green');

    const live = await evaluate('Evaluate', { experiment: 'checkout_button', user: toStruct({ userID: 'test-123' }), persist: { value: false } });
    expect(live.response).toMatchObject({ reason: 'Evaluated', sticky: null });
    expect((await call('Load', { key: 'test-123:userID' })).response.values.fields).toEqual({});

    expect((await evaluate('EvaluateAll', { user: toStruct({ userID: 'someone' }) })).response.results.map((result: { experiment: string }) => result.experiment)).toEqual(['checkout_button']);
    expect((await evaluate('GetExperiment', { name: 'checkout_button', version: 0 })).response).toMatchObject({ name: 'checkout_button', version: 1, published_by: 'bootstrap-admin' });
    const unknown = await evaluate('Evaluate', { experiment: 'nope', user: toStruct({ userID: 'x' }) });
    expect(unknown.error?.code).toBe(status.NOT_FOUND);
    expect(unknown.error?.metadata.get('error-code')).toEqual(['UNKNOWN_EXPERIMENT']);
  });
});
