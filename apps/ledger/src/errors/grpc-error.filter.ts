import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { type Observable, throwError } from 'rxjs';
import { ApiError, TooManyRequestsError } from '@ledger/platform';

const STATUS_BY_HTTP: Record<number, status> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.ALREADY_EXISTS,
  413: status.RESOURCE_EXHAUSTED,
  414: status.INVALID_ARGUMENT,
  415: status.INVALID_ARGUMENT,
  429: status.RESOURCE_EXHAUSTED,
  431: status.INVALID_ARGUMENT,
  503: status.UNAVAILABLE,
  504: status.DEADLINE_EXCEEDED,
};

/** A 4xx without its own entry is still the caller's mistake, never UNKNOWN. */
function grpcStatusOf(httpStatus: number): status {
  return STATUS_BY_HTTP[httpStatus] ?? (httpStatus < 500 ? status.INVALID_ARGUMENT : status.INTERNAL);
}

/** gRPC's side of "errors are part of the API": a status code, and the same machine code in the `error-code` trailer. */
@Catch()
export class GrpcErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('grpc');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const metadata = new Metadata();
    if (exception instanceof ApiError) {
      metadata.set('error-code', exception.code);
      if (exception instanceof TooManyRequestsError) metadata.set('retry-after', String(exception.retryAfterSeconds));
      return throwError(() => ({ code: grpcStatusOf(exception.httpStatus), message: exception.message, details: exception.message, metadata }));
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    metadata.set('error-code', 'INTERNAL');
    return throwError(() => ({ code: status.INTERNAL, message: 'internal error', details: 'internal error', metadata }));
  }
}
