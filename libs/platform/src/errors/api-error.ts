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
