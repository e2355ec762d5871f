import { InvalidRequestError } from '@ledger/platform';

export class InvalidPersistenceKeyError extends InvalidRequestError {
  override readonly code = 'INVALID_PERSISTENCE_KEY';

  constructor() {
    super('the persistence key must be <unitID>:<idType>, e.g. test-123:userID');
  }
}
