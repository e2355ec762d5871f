import {
  type DeleteReason,
  type DeleteResult,
  type EvaluationResult,
  type PublishedExperiment,
  type SaveResult,
  type StatsigUser,
  type StickyValuesInput,
  type StorageCaller,
  type UserPersistedValues,
} from './contract/api-types';

export interface EvaluateRequest {
  user: StatsigUser;
  persist?: boolean;
  enforceTargeting?: boolean;
}

export interface WriteRequestOptions {
  respondAsync?: boolean;
  caller?: StorageCaller;
}

/**
 * One attempt of each call over one transport; `deadlineAt` (epoch ms) bounds it. The client retries around
 * it, so both transports keep one retry policy. Two implementations: HTTP and gRPC.
 */
export interface LedgerTransport {
  load(key: string, asOf: string | undefined, deadlineAt: number): Promise<UserPersistedValues>;
  batchLoad(keys: string[], deadlineAt: number): Promise<Record<string, UserPersistedValues>>;
  save(key: string, configName: string, value: StickyValuesInput, options: WriteRequestOptions, deadlineAt: number): Promise<SaveResult>;
  delete(key: string, configName: string, reason: DeleteReason | undefined, options: WriteRequestOptions, deadlineAt: number): Promise<DeleteResult>;
  evaluate(experiment: string, request: EvaluateRequest, deadlineAt: number): Promise<EvaluationResult>;
  evaluateAll(request: EvaluateRequest, deadlineAt: number): Promise<EvaluationResult[]>;
  getExperiment(name: string, version: number | undefined, deadlineAt: number): Promise<PublishedExperiment>;
  close(): void;
}
