import { ApiError, InvalidRequestError } from '@ledger/platform';

export class InvalidPersistenceKeyError extends InvalidRequestError {
  override readonly code = 'INVALID_PERSISTENCE_KEY';

  constructor() {
    super('the persistence key must be <unitID>:<idType>, e.g. test-123:userID');
  }
}

export class UnknownExperimentError extends ApiError {
  readonly code = 'UNKNOWN_EXPERIMENT';
  readonly httpStatus = 404;

  constructor(name: string, version?: number) {
    super(version === undefined ? `no experiment ${name}` : `experiment ${name} has no version ${version}`);
  }
}

export class InvalidExperimentSpecError extends InvalidRequestError {
  override readonly code = 'INVALID_EXPERIMENT_SPEC';

  constructor(problems: string[]) {
    super(`the experiment spec is invalid: ${problems.join('; ')}`, { problems });
  }
}

/** No published event schema has that file name; GET /v1/schemas lists those there are. */
export class UnknownSchemaError extends ApiError {
  readonly code = 'UNKNOWN_SCHEMA';
  readonly httpStatus = 404;

  constructor(file: string) {
    super(`no published event schema ${JSON.stringify(file.slice(0, 200))}; GET /v1/schemas lists them`);
  }
}
