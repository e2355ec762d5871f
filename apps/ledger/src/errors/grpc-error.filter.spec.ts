import { type ArgumentsHost, Logger } from '@nestjs/common';
import { type Metadata, status } from '@grpc/grpc-js';
import { firstValueFrom } from 'rxjs';
import { ApiError, InvalidRequestError } from '@ledger/platform';
import { CallerDeadlinePassedError } from '@ledger/ledger';
import { GrpcErrorFilter } from './grpc-error.filter';

/** An API error with any HTTP status, as another module might define one. */
function apiError(httpStatus: number, code: string): ApiError {
  return new (class extends ApiError {
    readonly code = code;
    readonly httpStatus = httpStatus;
  })(`${code} happened`);
}

async function answerTo(exception: unknown): Promise<{ code: number; errorCode: unknown[] }> {
  const answered = await firstValueFrom(new GrpcErrorFilter().catch(exception, {} as ArgumentsHost)).catch((error: { code: number; metadata: Metadata }) => error);
  return { code: answered.code, errorCode: answered.metadata.get('error-code') };
}

describe('GrpcErrorFilter', () => {
  it.each([
    [429, 'TOO_MANY_REQUESTS', status.RESOURCE_EXHAUSTED],
    [413, 'PAYLOAD_TOO_LARGE', status.RESOURCE_EXHAUSTED],
    [414, 'URI_TOO_LONG', status.INVALID_ARGUMENT],
    [415, 'UNSUPPORTED_MEDIA_TYPE', status.INVALID_ARGUMENT],
    [431, 'HEADERS_TOO_LARGE', status.INVALID_ARGUMENT],
    [422, 'SOME_NEW_CLIENT_ERROR', status.INVALID_ARGUMENT],
    [503, 'BROKER_UNAVAILABLE', status.UNAVAILABLE],
    [500, 'SOME_BUG', status.INTERNAL],
  ])('answers an API error with HTTP status %i (%s) as gRPC status %i with its code in the trailer', async (httpStatus, code, expected) => {
    await expect(answerTo(apiError(httpStatus, code))).resolves.toEqual({ code: expected, errorCode: [code] });
  });

  it('never answers a 4xx API error with UNKNOWN', async () => {
    for (let httpStatus = 400; httpStatus < 500; httpStatus += 1) {
      expect((await answerTo(apiError(httpStatus, 'X'))).code).not.toBe(status.UNKNOWN);
    }
  });

  it('answers a passed deadline with DEADLINE_EXCEEDED and validation with INVALID_ARGUMENT', async () => {
    await expect(answerTo(new CallerDeadlinePassedError())).resolves.toEqual({ code: status.DEADLINE_EXCEEDED, errorCode: ['DEADLINE_EXCEEDED'] });
    await expect(answerTo(new InvalidRequestError('no'))).resolves.toEqual({ code: status.INVALID_ARGUMENT, errorCode: ['INVALID_REQUEST'] });
  });

  it('answers anything else with INTERNAL and logs it', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(answerTo(new Error('a bug'))).resolves.toEqual({ code: status.INTERNAL, errorCode: ['INTERNAL'] });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});
