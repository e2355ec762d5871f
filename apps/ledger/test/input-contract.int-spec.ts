import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Kafka, logLevel } from 'kafkajs';
import { checkoutButtonSpec, createTestEnvironment, jsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { toStruct } from '../src/grpc/protobuf-struct';
import { AUDIT_PROTO, EVALUATION_PROTO, PERSISTED_VALUES_PROTO, PROTO_ROOT } from '../src/ledger.app';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

type Call = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: any) => void) => void;

/** JSON nested `depth` containers deep, alternating objects and arrays, with a string at the bottom. */
const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : depth % 2 ? { level: nested(depth - 1) } : [nested(depth - 1)]);
const deepObject = (depth: number) => ({ level: nested(depth - 1) }) as Record<string, unknown>;

/**
 * One test per vector of the hardening issue: what used to be appended and then stop the projection, break
 * gRPC for everyone, or answer 5xx, is now a 4xx with nothing appended; what is accepted, every transport carries.
 */
describe('the input contract, on both transports', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let persisted: Record<'Load' | 'BatchLoad' | 'Save' | 'Delete', Call> & { close(): void };
  let evaluation: Record<'Evaluate' | 'EvaluateAll' | 'GetExperiment', Call> & { close(): void };
  let audit: Record<'Audit' | 'Explain' | 'Assignments', Call> & { close(): void };
  let admin: ReturnType<Kafka['admin']>;

  const recordsInLog = async () => (await admin.fetchTopicOffsets(environment.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  const grpc = (target: any, method: string, request: object) =>
    new Promise<{ error: ServiceError | null; response: any }>((resolve) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${environment.adminKey}`);
      (target[method] as Call).call(target, request, metadata, (error, response) => resolve({ error, response }));
    });
  /** Sends raw JSON text, so values JSON.stringify cannot write (1e309, lone surrogates as escapes) reach the server as a client sent them. */
  const rawPut = async (path: string, text: string) => {
    const response = await fetch(`${await stack.ledger.getUrl()}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${environment.adminKey}`, 'content-type': 'application/json' },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  /** Expects a refusal with the documented shape, and nothing appended for it. */
  const refusedWithoutAppending = async (send: () => Promise<{ status: number; body: any }>) => {
    const before = await recordsInLog();
    const answer = await send();
    expect(answer).toMatchObject({ status: 400, body: { error: { code: expect.stringMatching(/^INVALID_/), message: expect.any(String) } } });
    expect(await recordsInLog()).toBe(before);
  };

  beforeAll(async () => {
    environment = await createTestEnvironment('input-contract');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    const definition = loadSync([PERSISTED_VALUES_PROTO, EVALUATION_PROTO, AUDIT_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
    const pkg = loadPackageDefinition(definition) as any;
    persisted = new pkg.assignment_ledger.v1.PersistedValues(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    evaluation = new pkg.assignment_ledger.v1.Evaluation(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    audit = new pkg.assignment_ledger.v1.AuditService(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    persisted?.close();
    evaluation?.close();
    audit?.close();
    await admin?.disconnect();
    await stack?.close();
    await environment?.cleanup();
  });

  it.each([
    ['U+0000 in rule_id', { rule_id: 'a\u0000b' }],
    ['a lone surrogate in group_name', { group_name: 'x\udc00' }],
    ['U+0000 in a json_value key', { json_value: { 'k\u0000': 1 } }],
    ['a lone surrogate in a json_value string', { json_value: { k: '\ud800' } }],
    ['U+0000 in a secondary exposure', { secondary_exposures: [{ gate: 'g\u0000' }] }],
    ['json_value nested 33 deep', { json_value: deepObject(33) }],
    ['json_value nested 4,000 deep', { json_value: deepObject(4000) }],
    ['configVersion contradicting config_version', { config_version: 2, configVersion: 3 }],
  ])('refuses a save with %s over HTTP, appending nothing', async (_label, change) => {
    await refusedWithoutAppending(() => stack.api.put('/v1/persisted/contract:userID/c1', { ...stickyValueFor('Control'), ...change }));
  });

  it.each([
    ['1e309 (Infinity once parsed)', '{"value":true,"secondary_exposures":[],"time":1e309}'],
    ['1e309 inside json_value', '{"value":true,"secondary_exposures":[],"time":null,"json_value":{"n":1e309}}'],
    ['json_value nested 10,000 deep', `{"value":true,"secondary_exposures":[],"time":null,"json_value":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`],
  ])('refuses a save with %s, appending nothing', async (_label, text) => {
    await refusedWithoutAppending(() => rawPut('/v1/persisted/raw:userID/c1', text));
  });

  it.each([
    ['a lone surrogate', 'a\udc00'],
    ['U+0001', 'a\u0001b'],
    ['a line break', 'a\nb'],
    ['a C1 control', 'a\u0085b'],
  ])('refuses an evaluation of a userID holding %s, on both evaluation routes, appending nothing', async (_label, userID) => {
    await stack.api.put('/v1/experiments/contract_exp', checkoutButtonSpec({ targeting: [] }));
    await refusedWithoutAppending(() => stack.api.post('/v1/experiments/contract_exp/evaluate', { user: { userID } }));
    await refusedWithoutAppending(() => stack.api.post('/v1/evaluate', { user: { userID, customIDs: { stableID: userID } } }));
  });

  // Protobuf strings are UTF-8, so a gRPC client cannot send a lone surrogate at all (it writes U+FFFD).
  it.each([
    ['U+0001', 'a\u0001b'],
    ['a line break', 'a\nb'],
    ['a C1 control', 'a\u0085b'],
  ])('refuses a gRPC evaluation of a userID holding %s', async (_label, userID) => {
    const before = await recordsInLog();
    const overGrpc = await grpc(evaluation, 'EvaluateAll', { user: toStruct({ userID }) });
    expect(overGrpc.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(await recordsInLog()).toBe(before);
  });

  it.each([
    [
      'U+0000 in a group name',
      checkoutButtonSpec({
        groups: [
          { name: 'A\u0000', weight: 50 },
          { name: 'B', weight: 50 },
        ],
      }),
    ],
    ['a lone surrogate in the salt', checkoutButtonSpec({ salt: '\udbff' })],
    ['U+0000 in a targeting value', checkoutButtonSpec({ targeting: [{ field: 'country', operator: 'any', values: ['N\u0000Z'] }] })],
    ['parameters nested 100 deep', checkoutButtonSpec({ defaultParameters: deepObject(100) })],
    ['a spec nested 2,000 deep', checkoutButtonSpec({ defaultParameters: deepObject(2000) })],
  ])('refuses a spec with %s, publishing nothing', async (_label, spec) => {
    const answer = await stack.api.put('/v1/experiments/contract_spec', spec);
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'INVALID_EXPERIMENT_SPEC' } } });
    expect((await stack.api.get('/v1/experiments/contract_spec')).status).toBe(404);
  });

  it.each([['0000-01-01T00:00:00Z'], ['2026-02-30T00:00:00Z'], ['2026-01-01T24:00:00Z'], ['99999-01-01T00:00:00Z']])('refuses asOf=%s on both transports', async (asOf) => {
    expect(await stack.api.get(`/v1/persisted/someone:userID?asOf=${asOf}`)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect((await grpc(persisted, 'Load', { key: 'someone:userID', as_of: asOf })).error?.code).toBe(status.INVALID_ARGUMENT);
  });

  it('carries what it accepts on every transport: a value 32 deep saved over HTTP loads over gRPC, alone and in a batch', async () => {
    const deep = { ...stickyValueFor('Deep'), json_value: deepObject(32), secondary_exposures: [deepObject(32)] };
    expect(await stack.api.put('/v1/persisted/deep:userID/c1', deep)).toMatchObject({ status: 201, body: { outcome: 'saved' } });
    const loaded = await grpc(persisted, 'Load', { key: 'deep:userID' });
    expect(loaded.error).toBeNull();
    const batch = await grpc(persisted, 'BatchLoad', { keys: ['deep:userID', 'nobody:userID'] });
    expect(batch.error).toBeNull();
    expect(batch.response.results).toHaveLength(2);
    const again = await grpc(persisted, 'Save', { key: 'deep:userID', config_name: 'c1', sticky_values: toStruct(deep) });
    expect(again).toMatchObject({ error: null, response: { outcome: 'ALREADY_STICKY' } });
    expect((await stack.api.get('/v1/persisted/deep:userID')).body.values.c1).toEqual(deep);
  });

  it('carries an experiment whose parameters nest as deep as allowed to every caller of EvaluateAll', async () => {
    await stack.api.put('/v1/experiments/deep_params', checkoutButtonSpec({ targeting: [], defaultParameters: deepObject(32) }));
    const all = await grpc(evaluation, 'EvaluateAll', { user: toStruct({ userID: 'anyone' }) });
    expect(all.error).toBeNull();
    expect(all.response.results.map((result: { experiment: string }) => result.experiment)).toContain('deep_params');
  });

  it('carries what it accepts into the audit views: the longest unit id and odd but allowed text, in the trail, the explanation and the counts on both transports', async () => {
    const key = `${'é'.repeat(510)}😀:userID`;
    const group = 'Tëst \u2028\u202e😀 <b>&amp;';
    const path = encodeURIComponent(key);
    expect(await stack.api.put(`/v1/persisted/${path}/audit_odd`, stickyValueFor(group))).toMatchObject({ status: 201, body: { outcome: 'saved' } });
    const asOf = new Date().toISOString();

    const trail = await stack.api.get(`/v1/audit/${path}`);
    expect(trail).toMatchObject({ status: 200, body: { key, entries: [{ type: 'StickyValueSaved', key, experiment: 'audit_odd', groupName: group, outcome: 'saved' }] } });
    const trailOverGrpc = await grpc(audit, 'Audit', { key });
    expect(trailOverGrpc).toMatchObject({ error: null, response: { key, entries: [{ key, experiment: 'audit_odd', group_name: group, outcome: 'AUDIT_OUTCOME_SAVED' }] } });

    const explained = await stack.api.get(`/v1/audit/${path}/audit_odd/explain?asOf=${asOf}`);
    expect(explained).toMatchObject({ status: 200, body: { sticky: true, group } });
    expect(explained.body.explanation).toContain(group);
    const explainedOverGrpc = await grpc(audit, 'Explain', { key, experiment: 'audit_odd', as_of: asOf });
    expect(explainedOverGrpc).toMatchObject({ error: null, response: { sticky: true, group, explanation: explained.body.explanation } });

    expect((await stack.api.get('/v1/experiments/audit_odd/assignments')).body.groups).toEqual([{ group, units: 1 }]);
    expect((await grpc(audit, 'Assignments', { experiment: 'audit_odd' })).response.groups).toEqual([{ group, units: '1' }]);
  });

  it('tells a key that may only write that a unit is sticky, but not what it holds', async () => {
    await stack.api.put('/v1/persisted/private:userID/c1', stickyValueFor('Control'));
    const writer = (await stack.api.post('/v1/api-keys', { name: 'writer only', scopes: ['storage:write'] })).body;
    const asWriter = jsonClient(await stack.ledger.getUrl(), { authorization: `Bearer ${writer.key}` });
    const before = await recordsInLog();
    expect(await asWriter.put('/v1/persisted/private:userID/c1', stickyValueFor('Test'))).toMatchObject({ status: 200, body: { outcome: 'already_sticky', value: null } });
    // A value already held is answered from the read model: nothing is appended.
    expect(await recordsInLog()).toBe(before);
    expect(await stack.api.put('/v1/persisted/private:userID/c1', stickyValueFor('Test'))).toMatchObject({ status: 200, body: { outcome: 'already_sticky', value: stickyValueFor('Control') } });
  });
});
