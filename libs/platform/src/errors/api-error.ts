import { type Static, Type } from '@sinclair/typebox';

/**
 * An error that is part of the API: a stable machine-readable code, the HTTP status it maps to, and a
 * message for people. Subclass once per code; codes are UPPER_SNAKE and never reused.
 */
export abstract class ApiError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class InvalidRequestError extends ApiError {
  readonly code: string = 'INVALID_REQUEST';
  readonly httpStatus = 400;
}

export class NotFoundError extends ApiError {
  readonly code: string = 'NOT_FOUND';
  readonly httpStatus = 404;
}

export class BrokerUnavailableError extends ApiError {
  readonly code: string = 'BROKER_UNAVAILABLE';
  readonly httpStatus = 503;
}

export class DatabaseUnavailableError extends ApiError {
  readonly code: string = 'DATABASE_UNAVAILABLE';
  readonly httpStatus = 503;
}

export class UnauthenticatedError extends ApiError {
  readonly code: string = 'UNAUTHENTICATED';
  readonly httpStatus = 401;
}

export class ForbiddenError extends ApiError {
  readonly code: string = 'FORBIDDEN';
  readonly httpStatus = 403;
}

/** A limit was reached; `retryAfterSeconds` goes out as `Retry-After` (gRPC: the `retry-after` trailer). */
export class TooManyRequestsError extends ApiError {
  readonly code: string = 'TOO_MANY_REQUESTS';
  readonly httpStatus = 429;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export class InvalidJsonError extends InvalidRequestError {
  override readonly code = 'INVALID_JSON';

  constructor() {
    super('the request body is not valid JSON');
  }
}

export class InvalidUrlError extends InvalidRequestError {
  override readonly code = 'INVALID_URL';

  constructor() {
    super('the URL is malformed: a path segment has bad percent-encoding');
  }
}

export class UriTooLongError extends ApiError {
  readonly code = 'URI_TOO_LONG';
  readonly httpStatus = 414;
}

export class HeadersTooLargeError extends ApiError {
  readonly code = 'HEADERS_TOO_LARGE';
  readonly httpStatus = 431;
}

export class PayloadTooLargeError extends ApiError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly httpStatus = 413;
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly httpStatus = 415;
}

export class RequestTimeoutError extends ApiError {
  readonly code = 'REQUEST_TIMEOUT';
  readonly httpStatus = 408;
}

/** The documented error body: {"error": {"code", "message"}}, with `details` when the error has some. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'A stable machine-readable code, UPPER_SNAKE', examples: ['INVALID_REQUEST'] }),
      message: Type.String({ description: 'What went wrong, for people' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { description: 'An error' },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;

export function apiErrorBody(error: ApiError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
}
