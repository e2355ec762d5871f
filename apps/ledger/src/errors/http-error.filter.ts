import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiError, apiErrorBody, type ErrorBody, TooManyRequestsError } from '@ledger/platform';

/**
 * Codes for errors that reach the filter with only a status: Nest turns Fastify's errors (a body over the
 * limit, a content-length the body does not match, a content-type that is no media type) into bare
 * HttpExceptions, and answers unknown routes with a NotFoundException. The router's and Node's refusals
 * never reach a filter (see framework-refusals in platform).
 */
const STATUS_CODES: Record<number, string> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * What a 503 asks a client to wait before retrying. A dependency call gives up within DEPENDENCY_TIMEOUT_MS and
 * the read model usually catches up within a second, so a short wait is enough, and every retry is safe.
 */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** Every HTTP error, ours or the framework's, leaves as {"error": {"code", "message"}}; a 500 means a bug and is logged. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [status, body] = this.toResponse(exception);
    // A 503 is an outage the caller is told of; any 500, ours or not, is a bug.
    if (status === 500 || (status > 500 && !(exception instanceof ApiError))) {
      const requestId = host.switchToHttp().getRequest<FastifyRequest>().id;
      this.logger.error({ requestId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception) });
    }
    if (exception instanceof TooManyRequestsError) void reply.header('retry-after', String(exception.retryAfterSeconds));
    else if (status === 503) void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toResponse(exception: unknown): [number, ErrorBody] {
    if (exception instanceof ApiError) return [exception.httpStatus, apiErrorBody(exception)];
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, { error: { code: STATUS_CODES[status] ?? `HTTP_${status}`, message: exception.message } }];
    }
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return [statusCode, { error: { code: STATUS_CODES[statusCode] ?? `HTTP_${statusCode}`, message: (exception as Error).message } }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: { code: 'INTERNAL', message: 'internal error' } }];
  }
}
