import { EMPTY, of, throwError } from 'rxjs';
import { type sendUnaryData, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { UnaryAnswerGrpcServer } from './unary-answer-grpc.server';

const server = new UnaryAnswerGrpcServer({ package: 'test', protoPath: [] });

/** Runs one unary call through the server's method for `handler` and resolves with what reached grpc-js. */
function answer(handler: () => Promise<unknown>): Promise<{ error: unknown; value: unknown }> {
  const method = server.createUnaryServiceMethod(handler);
  return new Promise((resolve) => {
    const callback: sendUnaryData<unknown> = (error, value) => resolve({ error, value });
    method({ request: { name: 'x' }, metadata: {} } as unknown as ServerUnaryCall<unknown, unknown>, callback);
  });
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
});
