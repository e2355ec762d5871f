import { ApiError } from '@ledger/platform';

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

/** The caller's deadline passed (or it cancelled) before the event was appended; nothing was. */
export class CallerDeadlinePassedError extends ApiError {
  readonly code = 'DEADLINE_EXCEEDED';
  readonly httpStatus = 504;

  constructor() {
    super('the deadline passed before the write was appended; nothing was written');
  }
}

/**
 * The event is in the log but the projector refused it (see its dead-letter topic): a gap in the input
 * contract, so a bug, answered as one, with the event named.
 */
export class RefusedByReadModelError extends ApiError {
  readonly code = 'REFUSED_BY_READ_MODEL';
  readonly httpStatus = 500;

  constructor(eventId: string) {
    super(`event ${eventId} is in the log, but the read model refused it and it went to the dead-letter topic`, { eventId });
  }
}
