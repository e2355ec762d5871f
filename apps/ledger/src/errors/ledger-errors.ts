import { ApiError, InvalidRequestError } from '@ledger/platform';

export class InvalidPersistenceKeyError extends InvalidRequestError {
  override readonly code = 'INVALID_PERSISTENCE_KEY';

  constructor() {
    super('the persistence key must be <unitID>:<idType>, e.g. test-123:userID');
  }
}

/** The read model did not catch up within the bound; when `eventId` is given, that write is in the log and will be applied. */
export class ProjectionLagError extends ApiError {
  readonly code = 'PROJECTION_LAG';
  readonly httpStatus = 503;

  constructor(readonly position: { partition: number; offset: string; eventId?: string }) {
    super(
      position.eventId
        ? `event ${position.eventId} is in the log and will be applied, but the read model has not caught up yet`
        : `the read model has not caught up with partition ${position.partition} up to offset ${position.offset}`,
      position,
    );
  }
}
