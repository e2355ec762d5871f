import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { Kafka, logLevel } from 'kafkajs';
import { checkoutButtonSpec, createTestEnvironment, readTopic, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { toStruct } from '../src/grpc/protobuf-struct';
import { EVALUATION_PROTO, PERSISTED_VALUES_PROTO, PROTO_ROOT } from '../src/ledger.app';
import { startLedgerStack, type LedgerStack } from './ledger-stack';

type Call = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: any) => void) => void;

/** What a raw HTTP/2 gRPC call ended with: the status, its message and our `error-code` trailer. */
interface RawAnswer {
  code: number;
  details: string;
  errorCode: string | undefined;
}

const SAVE = '/assignment_ledger.v1.PersistedValues/Save';
const DELETE = '/assignment_ledger.v1.PersistedValues/Delete';
const EVALUATE = '/assignment_ledger.v1.Evaluation/Evaluate';

/** One length-prefixed gRPC message: the compressed flag, a 4-byte big-endian length, the bytes. */
function frame(message: Buffer, { compressed = false } = {}): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

describe('the gRPC transport at its edges', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let storage: Record<'Load' | 'Save' | 'Delete', Call> & { close(): void };
  let evaluation: Record<'Evaluate' | 'GetExperiment', Call> & { close(): void };
  let serializerOf: (path: string) => (value: object) => Buffer;
  let session: ClientHttp2Session;
  let recordsInLog: () => Promise<number>;
  let closeAdmin: () => Promise<void>;

  const invoke = (target: any, method: string, request: object, extra: Record<string, string> = {}) =>
    new Promise<{ error: ServiceError | null; response: any }>((resolve) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${environment.adminKey}`);
      for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
      (target[method] as Call).call(target, request, metadata, (error, response) => resolve({ error, response }));
    });
  const save = (key: string, group: string, extra?: Record<string, string>) => invoke(storage, 'Save', { key, config_name: 'exp', sticky_values: toStruct(stickyValueFor(group)) }, extra);

  /** Sends `frames` as the request body of a call to `path`, as any HTTP/2 client could, and reads the status. */
  const rawCall = (path: string, frames: Buffer[], headers: Record<string, string> = {}, { authorized = true } = {}) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        ...(authorized ? { authorization: `Bearer ${environment.adminKey}` } : {}),
        ...headers,
      });
      let ended: IncomingHttpHeaders = {};
      // A trailers-only answer puts the status in the headers; otherwise it comes in the trailers.
      stream.on('response', (responseHeaders) => (ended = responseHeaders));
      stream.on('trailers', (trailers) => (ended = trailers));
      stream.on('data', () => undefined);
      stream.on('error', reject);
      stream.on('close', () =>
        resolve({
          code: Number(ended['grpc-status']),
          details: decodeURIComponent(String(ended['grpc-message'] ?? '')),
          errorCode: ended['error-code'] as string | undefined,
        }),
      );
      for (const bytes of frames) stream.write(bytes);
      stream.end();
    });

  beforeAll(async () => {
    environment = await createTestEnvironment('grpc-edges');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    const options = { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] };
    const definition = loadSync([PERSISTED_VALUES_PROTO, EVALUATION_PROTO], options);
    const pkg = loadPackageDefinition(definition) as any;
    const address = `127.0.0.1:${environment.env.GRPC_PORT}`;
    storage = new pkg.assignment_ledger.v1.PersistedValues(address, credentials.createInsecure());
    evaluation = new pkg.assignment_ledger.v1.Evaluation(address, credentials.createInsecure());
    serializerOf = (path) => {
      const [, service = '', method = ''] = path.split('/');
      return (definition[service] as Record<string, MethodDefinition<object, object>>)[method]!.requestSerialize;
    };
    session = connect(`http://${address}`);
    const admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    recordsInLog = async () => (await admin.fetchTopicOffsets(environment.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    closeAdmin = () => admin.disconnect();
    await stack.api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ targeting: [] }));
  });

  afterAll(async () => {
    session?.close();
    storage?.close();
    evaluation?.close();
    await closeAdmin?.();
    await stack?.close();
    await environment?.cleanup();
  });

  describe('malformed request frames', () => {
    const saveRequest = (key: string) => serializerOf(SAVE)({ key, config_name: 'exp', sticky_values: toStruct(stickyValueFor('Control')) });

    it('answers INVALID_ARGUMENT for bytes that are no protobuf message, before the guard looks at the key', async () => {
      // 'n' (0x6e) opens field 13 with wire type 6, which protobuf does not have.
      const notProtobuf = await rawCall(SAVE, [frame(Buffer.from('not a protobuf message'))], {}, { authorized: false });
      expect(notProtobuf).toMatchObject({ code: status.INVALID_ARGUMENT, errorCode: 'INVALID_REQUEST' });
    });

    it('answers INVALID_ARGUMENT for a message cut off inside a varint or a length-delimited field', async () => {
      // Field 1 (key), length-delimited, whose length varint promises a continuation byte that never comes.
      expect(await rawCall(SAVE, [frame(Buffer.from([0x0a, 0x80]))])).toMatchObject({ code: status.INVALID_ARGUMENT, errorCode: 'INVALID_REQUEST' });
      const whole = saveRequest('cut-1:userID');
      expect(await rawCall(SAVE, [frame(whole.subarray(0, whole.length - 3))])).toMatchObject({ code: status.INVALID_ARGUMENT, errorCode: 'INVALID_REQUEST' });
    });

    it('answers INVALID_ARGUMENT for gzip that holds no protobuf message, and for a compressed flag without an encoding', async () => {
      const gzippedGarbage = frame(gzipSync(Buffer.from('not a protobuf message')), { compressed: true });
      expect(await rawCall(SAVE, [gzippedGarbage], { 'grpc-encoding': 'gzip' })).toMatchObject({ code: status.INVALID_ARGUMENT, errorCode: 'INVALID_REQUEST' });
      // grpc-js ignores the flag when no grpc-encoding is named, so the gzip bytes reach the decoder as they are.
      expect(await rawCall(SAVE, [gzippedGarbage])).toMatchObject({ code: status.INVALID_ARGUMENT, errorCode: 'INVALID_REQUEST' });
      // Valid gzip of a valid message is still read.
      const saved = await rawCall(SAVE, [frame(gzipSync(saveRequest('gzip-1:userID')), { compressed: true })], { 'grpc-encoding': 'gzip' });
      expect(saved.code).toBe(status.OK);
    });

    // The next three are answered by grpc-js itself, before any deserializer, interceptor or handler of ours
    // runs (the README's "gRPC edges"); these pin what they answer and that nothing is appended.
    it('answers INTERNAL, appending nothing, for a compressed frame that is not gzip at all', async () => {
      const before = await recordsInLog();
      const badGzip = await rawCall(SAVE, [frame(Buffer.from('definitely not gzip'), { compressed: true })], { 'grpc-encoding': 'gzip' });
      expect(badGzip).toMatchObject({ code: status.INTERNAL, details: 'Failed to decompress message' });
      await expectNothingAppendedFor('bad-gzip:userID', before);
    });

    it('answers INTERNAL, appending nothing, for a grpc-timeout that is no duration', async () => {
      const before = await recordsInLog();
      const banana = await rawCall(SAVE, [frame(saveRequest('banana-1:userID'))], { 'grpc-timeout': 'banana' });
      expect(banana).toMatchObject({ code: status.INTERNAL, details: 'Invalid grpc-timeout value "banana"' });
      await expectNothingAppendedFor('banana-1:userID', before);
    });

    it('answers UNIMPLEMENTED, appending nothing, for a unary call with no message or with two', async () => {
      const before = await recordsInLog();
      expect(await rawCall(SAVE, [])).toMatchObject({ code: status.UNIMPLEMENTED });
      expect(await rawCall(SAVE, [frame(saveRequest('twice-1:userID')), frame(saveRequest('twice-1:userID'))])).toMatchObject({ code: status.UNIMPLEMENTED });
      await expectNothingAppendedFor('twice-1:userID', before);
    });
  });

  describe('message size', () => {
    it('answers RESOURCE_EXHAUSTED for a request over 64 KiB, as HTTP answers 413, appending nothing', async () => {
      const before = await recordsInLog();
      const large = { ...stickyValueFor('Control'), json_value: { blob: 'x'.repeat(1_500_000) } };
      const answer = await invoke(storage, 'Save', { key: 'large-1:userID', config_name: 'exp', sticky_values: toStruct(large) });
      expect(answer.error?.code).toBe(status.RESOURCE_EXHAUSTED);
      await expectNothingAppendedFor('large-1:userID', before);
    });

    it('still saves a 60 KiB value', async () => {
      const value = { ...stickyValueFor('Control'), json_value: { blob: 'x'.repeat(60 * 1024) } };
      const answer = await invoke(storage, 'Save', { key: 'sixty-1:userID', config_name: 'exp', sticky_values: toStruct(value) });
      expect(answer.error).toBeNull();
      expect(answer.response.outcome).toBe('SAVED');
      expect(answer.response.value.fields.json_value.structValue.fields.blob.stringValue).toHaveLength(60 * 1024);
    });
  });

  describe('x-request-id', () => {
    it('keeps a well-formed caller id and replaces a malformed one with a fresh id, as HTTP does', async () => {
      expect((await save('trace-1:userID', 'Control', { 'x-request-id': 'upstream-1.a:b_c' })).response?.outcome).toBe('SAVED');
      const tooLong = await save('trace-2:userID', 'Control', { 'x-request-id': 'r'.repeat(300) });
      expect(tooLong.error).toBeNull();
      expect(tooLong.response.outcome).toBe('SAVED');
      expect((await save('trace-3:userID', 'Control', { 'x-request-id': 'has spaces/and slashes' })).response?.outcome).toBe('SAVED');

      const records = await readTopic(environment.brokers, environment.topic, await recordsInLog());
      const correlationOf = (key: string) => JSON.parse(String(records.find((record) => String(record.key) === key)?.value)).metadata.cause.requestId;
      expect(correlationOf('trace-1:userID')).toBe('upstream-1.a:b_c');
      expect(correlationOf('trace-2:userID')).toMatch(/^[0-9a-f-]{36}$/);
      expect(correlationOf('trace-3:userID')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('deadlines', () => {
    // A grpc-timeout of 1 ns is a deadline that has passed by the time the handler runs.
    const expired = { 'grpc-timeout': '1n' };

    it('appends nothing for a Save whose deadline has passed', async () => {
      const before = await recordsInLog();
      const late = await rawCall(SAVE, [frame(serializerOf(SAVE)({ key: 'late-1:userID', config_name: 'exp', sticky_values: toStruct(stickyValueFor('Test')) }))], expired);
      expect(late.code).toBe(status.DEADLINE_EXCEEDED);
      // Had the late save been appended, this one would answer ALREADY_STICKY with its value.
      const onTime = await save('late-1:userID', 'Control');
      expect(onTime.response).toMatchObject({ outcome: 'SAVED' });
      expect(onTime.response.value.fields.group_name.stringValue).toBe('Control');
      expect(await recordsInLog()).toBe(before + 1);
    });

    it('appends nothing for a Delete whose deadline has passed', async () => {
      expect((await save('late-2:userID', 'Control')).response.outcome).toBe('SAVED');
      const before = await recordsInLog();
      const late = await rawCall(DELETE, [frame(serializerOf(DELETE)({ key: 'late-2:userID', config_name: 'exp' }))], expired);
      expect(late.code).toBe(status.DEADLINE_EXCEEDED);
      expect((await invoke(storage, 'Delete', { key: 'late-2:userID', config_name: 'exp' })).response.outcome).toBe('DELETED');
      expect(await recordsInLog()).toBe(before + 1);
    });

    it('appends nothing for a first Evaluate whose deadline has passed', async () => {
      const before = await recordsInLog();
      const request = { experiment: 'checkout_button', user: toStruct({ userID: 'late-3' }) };
      expect((await rawCall(EVALUATE, [frame(serializerOf(EVALUATE)(request))], expired)).code).toBe(status.DEADLINE_EXCEEDED);
      const onTime = await invoke(evaluation, 'Evaluate', request);
      expect(onTime.response.reason).toBe('Evaluated');
      expect(await recordsInLog()).toBe(before + 1);
    });
  });

  describe('numbers and enumerations in requests', () => {
    it('refuses a negative experiment version instead of answering the latest', async () => {
      const negative = await invoke(evaluation, 'GetExperiment', { name: 'checkout_button', version: -1 });
      expect(negative.error?.code).toBe(status.INVALID_ARGUMENT);
      expect(negative.error?.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
      expect((await invoke(evaluation, 'GetExperiment', { name: 'checkout_button', version: 0 })).response.version).toBe(1);
      expect((await invoke(evaluation, 'GetExperiment', { name: 'checkout_button', version: 1 })).response.version).toBe(1);
    });

    it('refuses a NaN or an infinite number in a Struct, which JSON (and so HTTP) cannot carry', async () => {
      const before = await recordsInLog();
      for (const number of [NaN, Infinity]) {
        const value = { ...toStruct(stickyValueFor('Control')) };
        value.fields = { ...value.fields, json_value: { structValue: { fields: { ratio: { numberValue: number } } } } };
        const answer = await invoke(storage, 'Save', { key: 'nan-1:userID', config_name: 'exp', sticky_values: value });
        expect(answer.error?.code).toBe(status.INVALID_ARGUMENT);
        expect(answer.error?.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
      }
      const user = await invoke(evaluation, 'Evaluate', {
        experiment: 'checkout_button',
        user: { fields: { userID: { stringValue: 'nan-2' }, custom: { structValue: { fields: { score: { numberValue: -Infinity } } } } } },
      });
      expect(user.error?.code).toBe(status.INVALID_ARGUMENT);
      expect(await recordsInLog()).toBe(before);
    });

    it('refuses a delete reason it does not know', async () => {
      const unknown = await invoke(storage, 'Delete', { key: 'reason-1:userID', config_name: 'exp', reason: 'because' });
      expect(unknown.error?.code).toBe(status.INVALID_ARGUMENT);
      expect(unknown.error?.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
    });
  });

  /** Proves a refused call appended nothing: a later save of the same key is the first, and the only new record. */
  async function expectNothingAppendedFor(key: string, recordsBefore: number): Promise<void> {
    const after = await save(key, 'Control');
    expect(after.response).toMatchObject({ outcome: 'SAVED' });
    expect(after.response.value.fields.group_name.stringValue).toBe('Control');
    expect(await recordsInLog()).toBe(recordsBefore + 1);
  }
});
