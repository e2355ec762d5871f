/** The machine codes the ledger answers with (`{"error": {"code"}}`, gRPC `error-code`), and the client's own. */
export type LedgerErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_PERSISTENCE_KEY'
  | 'INVALID_JSON'
  | 'INVALID_URL'
  | 'INVALID_EXPERIMENT_SPEC'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNKNOWN_EXPERIMENT'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'REFUSED_BY_READ_MODEL'
  | 'DEADLINE_EXCEEDED'
  | 'BROKER_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE'
  | 'PROJECTION_LAG'
  /** The client could not reach the ledger (refused, reset, DNS). */
  | 'CONNECTION_FAILED'
  /** The ledger answered something that is not its error shape. */
  | 'UNEXPECTED_RESPONSE'
  | (string & {});

export interface LedgerErrorDetails {
  /** The HTTP status, when the call went over HTTP and got an answer. */
  status?: number;
  /** The gRPC status code, when the call went over gRPC. */
  grpcStatus?: number;
  /** The event a 503 PROJECTION_LAG or a 500 REFUSED_BY_READ_MODEL is about. */
  eventId?: string;
  /** How long the ledger asked the caller to wait (`Retry-After`). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A call the ledger refused or could not answer; `code` is the server's machine code. */
export class LedgerError extends Error {
  override readonly name: string = 'LedgerError';
  readonly status: number | undefined;
  readonly grpcStatus: number | undefined;
  readonly eventId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    details: LedgerErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.grpcStatus = details.grpcStatus;
    this.eventId = details.eventId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The call itself is wrong (4xx, INVALID_ARGUMENT, ...): repeating it cannot help. */
export class LedgerRequestError extends LedgerError {
  override readonly name = 'LedgerRequestError';
}

/** The ledger or a dependency of it is down or behind (503, UNAVAILABLE, a refused connection): a safe call is retried. */
export class LedgerUnavailableError extends LedgerError {
  override readonly name = 'LedgerUnavailableError';
}

/** The call's deadline passed before an answer came (the client's own deadline, or the ledger's 504). */
export class LedgerDeadlineExceededError extends LedgerError {
  override readonly name = 'LedgerDeadlineExceededError';
}

/** The error class for an HTTP status and code. */
export function errorForStatus(status: number, code: LedgerErrorCode, message: string, details: Omit<LedgerErrorDetails, 'status'> = {}): LedgerError {
  const withStatus = { ...details, status };
  if (status === 503 || status === 502) return new LedgerUnavailableError(code, message, withStatus);
  if (status === 504) return new LedgerDeadlineExceededError(code, message, withStatus);
  if (status >= 400 && status < 500) return new LedgerRequestError(code, message, withStatus);
  return new LedgerError(code, message, withStatus);
}
