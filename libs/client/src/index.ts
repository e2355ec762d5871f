export { LedgerClient, type CallOptions, type EvaluateOptions, type LedgerClientOptions, type WriteOptions } from './ledger-client';
export { LedgerDeadlineExceededError, LedgerError, type LedgerErrorCode, LedgerRequestError, LedgerUnavailableError } from './errors';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
export * from './contract/api-types';
export { CONFIG_NAME_PATTERN, PERSISTENCE_KEY_PATTERN, StickyValuesSchema } from './contract/ledger-events';
