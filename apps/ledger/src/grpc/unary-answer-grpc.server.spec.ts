import { join } from 'node:path';
import { EMPTY, of, throwError } from 'rxjs';
import { type Metadata, type sendUnaryData, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { projectRoot, ServiceMetrics } from '@ledger/platform';
import { refuseUnreadableRequests, UnaryAnswerGrpcServer } from './unary-answer-grpc.server';

const server = new UnaryAnswerGrpcServer({ package: 'test', protoPath: [] });

/** Runs one unary call through the server's method for `handler` and resolves with what reached grpc-js. */
function answer(handler: () => Promise<unknown>, request: unknown = { name: 'x' }): Promise<{ error: unknown; value: unknown }> {
  const method = server.createUnaryServiceMethod(handler);
  return new Promise((resolve) => {
    const callback: sendUnaryData<unknown> = (error, value) => resolve({ error, value });
    method({ request, metadata: {} } as unknown as ServerUnaryCall<unknown, unknown>, callback);
  });
}

/** The ledger's GetExperiment request deserializer, as the server loads it. */
function getExperimentDeserializer(): (bytes: Buffer) => unknown {
  const proto = join(projectRoot(__dirname), 'proto');
  const definition = loadSync(join(proto, 'assignment_ledger', 'v1', 'evaluation.proto'), { includeDirs: [proto] });
  refuseUnreadableRequests(definition);
  return (definition['assignment_ledger.v1.Evaluation'] as Record<string, MethodDefinition<object, object>>)['GetExperiment']!.requestDeserialize;
}

describe('UnaryAnswerGrpcServer', () => {
  it('answers with the value the handler settles with', async () => {
    await expect(answer(async () => ({ version: 2 }))).resolves.toEqual({ error: null, value: { version: 2 } });
  });

  it('hands the handler the request, the metadata and the call, as Nest does', async () => {
    const handler = jest.fn(async () => 'ok');
    await answer(handler);
    expect(handler).toHaveBeenCalledWith({ name: 'x' }, {}, expect.objectContaining({ request: { name: 'x' } }));
  });

  it("answers with an Observable's value", async () => {
    await expect(answer(async () => of({ version: 3 }))).resolves.toEqual({ error: null, value: { version: 3 } });
  });

  it('fails the call with the status an exception filter answers with', async () => {
    const notFound = { code: status.NOT_FOUND, details: 'no experiment x' };
    await expect(answer(async () => throwError(() => notFound))).resolves.toEqual({ error: notFound, value: undefined });
  });

  it('fails the call, instead of leaving it open, when the handler rejects or its Observable ends empty', async () => {
    const rejected = await answer(() => Promise.reject(new Error('boom')));
    expect(rejected.error).toEqual(new Error('boom'));
    const empty = await answer(async () => EMPTY);
    expect(empty.error).toBeInstanceOf(Error);
  });

  it('reads a well-formed request as before, and answers INVALID_ARGUMENT for bytes that are no message without calling the handler', async () => {
    const deserialize = getExperimentDeserializer();
    // Field 1 (name) = "x", field 2 (version) = 3.
    expect(deserialize(Buffer.from([0x0a, 0x01, 0x78, 0x10, 0x03]))).toMatchObject({ name: 'x', version: 3 });

    const handler = jest.fn(async () => 'ok');
    // A length-delimited field whose length varint is cut off.
    const refused = await answer(handler, deserialize(Buffer.from([0x0a, 0x80])));
    expect(handler).not.toHaveBeenCalled();
    const error = refused.error as { code: number; metadata: Metadata };
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get('error-code')).toEqual(['INVALID_REQUEST']);
  });

  it('times each unary call by its method path and the status it answered with', async () => {
    const metrics = new ServiceMetrics('ledger', true);
    const timed = new UnaryAnswerGrpcServer({ package: 'test', protoPath: [] }, metrics);
    const method = { path: '/assignment_ledger.v1.Evaluation/GetExperiment', requestStream: false, responseStream: false };
    const call = (handler: () => Promise<unknown>, request: unknown = { name: 'x' }) =>
      new Promise<void>((resolve) => {
        const unary = timed.createServiceMethod(handler, method, undefined as never) as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
        unary({ request, metadata: {} } as unknown as ServerUnaryCall<unknown, unknown>, () => resolve());
      });
    await call(async () => ({ version: 1 }));
    await call(async () => throwError(() => ({ code: status.NOT_FOUND, details: 'no experiment x' })));
    await call(() => Promise.reject(new Error('boom')));
    await call(async () => 'never called', getExperimentDeserializer()(Buffer.from([0x0a, 0x80])));
    const counts = (await metrics.scrape()).split('\n').filter((line) => line.startsWith('assignment_ledger_request_duration_seconds_count'));
    expect(counts).toEqual(
      ['OK', 'NOT_FOUND', 'UNKNOWN', 'INVALID_ARGUMENT'].map((name) => `assignment_ledger_request_duration_seconds_count{app="ledger",transport="grpc",route="${method.path}",status="${name}"} 1`),
    );
  });
});
