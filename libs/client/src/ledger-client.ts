import {
  type DeleteReason,
  type DeleteResult,
  type EvaluationResult,
  type ExperimentSpecInput,
  type PublishedExperiment,
  type SaveResult,
  type StatsigUser,
  type StickyValuesInput,
  type StorageCaller,
  type UserPersistedValues,
} from './contract/api-types';
import { PERSISTENCE_KEY_PATTERN } from './contract/ledger-events';
import { LedgerRequestError } from './errors';
import { HttpTransport } from './http-transport';
import { LoadBatcher } from './load-batcher';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry';
import { type LedgerTransport } from './transport';

export interface LedgerClientOptions {
  /** The ledger's HTTP base URL, e.g. `http://127.0.0.1:8080`. Needed for `transport: 'http'` and for publishing experiments. */
  url?: string;
  /** The ledger's gRPC address, e.g. `127.0.0.1:50051`. Needed for `transport: 'grpc'`. */
  grpcAddress?: string;
  /** Which API the calls go over; `http` unless said otherwise. */
  transport?: 'http' | 'grpc';
  apiKey: string;
  /** Every call's deadline, retries included, unless the call gives its own; 2000 ms by default. */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface CallOptions {
  /** This call's deadline in ms, retries included. */
  deadlineMs?: number;
}

export interface WriteOptions extends CallOptions {
  /** Answer once the event is in the log, before the read model has applied it (`accepted`). */
  respondAsync?: boolean;
  /** Recorded as the event's source; SDK adapters declare `sdk_adapter`. */
  caller?: StorageCaller;
}

export interface EvaluateOptions extends CallOptions {
  /** false: "no persisted values provided" (a live answer, and the unit's sticky value is deleted). Default true. */
  persist?: boolean;
  enforceTargeting?: boolean;
}

const DEFAULT_DEADLINE_MS = 2000;
const PERSISTENCE_KEY = new RegExp(PERSISTENCE_KEY_PATTERN);

/**
 * The ledger's API over HTTP or gRPC, with a deadline on every call. Only calls that are safe to repeat are
 * retried, with backoff and jitter, and only on an outage: loads; saves, which are first-write-wins; deletes; and
 * evaluations that persist (the unit's group is settled by its first save, so a repeat answers the same group).
 * Loads made in the same turn of the event loop go out as one `batch-load`.
 */
export class LedgerClient {
  private readonly transport: LedgerTransport;
  private readonly http: HttpTransport | undefined;
  private readonly deadlineMs: number;
  private readonly retry: RetryPolicy;
  private readonly batcher: LoadBatcher<UserPersistedValues>;

  constructor(options: LedgerClientOptions) {
    const transport = options.transport ?? 'http';
    if (options.url === undefined && transport === 'http') throw new TypeError('LedgerClient needs `url` for the HTTP transport');
    if (options.grpcAddress === undefined && transport === 'grpc') throw new TypeError('LedgerClient needs `grpcAddress` for the gRPC transport');
    this.http = options.url === undefined ? undefined : new HttpTransport(options.url, options.apiKey);
    this.transport = transport === 'grpc' ? grpcTransport(options.grpcAddress!, options.apiKey) : this.http!;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.batcher = new LoadBatcher(
      (keys) => this.safely((deadlineAt) => this.transport.batchLoad(keys, deadlineAt)),
      () => ({}),
    );
  }

  /** Everything saved under a persistence key (`{}` when nothing); loads of the same tick share one `batch-load`. */
  load(key: string, options: CallOptions & { asOf?: string } = {}): Promise<UserPersistedValues> {
    if (options.asOf === undefined && options.deadlineMs === undefined) return this.batched(key);
    return this.safely((deadlineAt) => this.transport.load(key, options.asOf, deadlineAt), options);
  }

  /** Many keys at once; they join the same tick's batch. */
  async loadMany(keys: readonly string[]): Promise<Map<string, UserPersistedValues>> {
    const unique = [...new Set(keys)];
    const values = await Promise.all(unique.map((key) => this.batched(key)));
    return new Map(unique.map((key, index) => [key, values[index]!]));
  }

  save(key: string, configName: string, value: StickyValuesInput, options: WriteOptions = {}): Promise<SaveResult> {
    return this.safely((deadlineAt) => this.transport.save(key, configName, value, options, deadlineAt), options);
  }

  delete(key: string, configName: string, options: WriteOptions & { reason?: DeleteReason } = {}): Promise<DeleteResult> {
    return this.safely((deadlineAt) => this.transport.delete(key, configName, options.reason, options, deadlineAt), options);
  }

  evaluate(experiment: string, user: StatsigUser, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    const request = { user, persist: options.persist ?? true, enforceTargeting: options.enforceTargeting ?? false };
    return this.attempts((deadlineAt) => this.transport.evaluate(experiment, request, deadlineAt), request.persist, options);
  }

  evaluateAll(user: StatsigUser, options: EvaluateOptions = {}): Promise<EvaluationResult[]> {
    const request = { user, persist: options.persist ?? true, enforceTargeting: options.enforceTargeting ?? false };
    return this.attempts((deadlineAt) => this.transport.evaluateAll(request, deadlineAt), request.persist, options);
  }

  getExperiment(name: string, options: CallOptions & { version?: number } = {}): Promise<PublishedExperiment> {
    return this.safely((deadlineAt) => this.transport.getExperiment(name, options.version, deadlineAt), options);
  }

  /** Publishes a version (HTTP only; scope `experiments:write`). Not retried: a caller who must know tries again itself. */
  publishExperiment(name: string, spec: ExperimentSpecInput, options: CallOptions = {}): Promise<PublishedExperiment> {
    if (!this.http) throw new TypeError('publishing an experiment needs the HTTP `url`');
    const http = this.http;
    return this.attempts((deadlineAt) => http.call('PUT', `/v1/experiments/${encodeURIComponent(name)}`, deadlineAt, { body: spec }), false, options);
  }

  close(): void {
    this.transport.close();
    if (this.http !== this.transport) this.http?.close();
  }

  /** One bad key would fail the whole batch, other callers' keys with it, so it is refused before it joins one. */
  private batched(key: string): Promise<UserPersistedValues> {
    if (!PERSISTENCE_KEY.test(key)) return Promise.reject(new LedgerRequestError('INVALID_PERSISTENCE_KEY', `${JSON.stringify(key)} is not a persistence key (<unitID>:<idType>)`));
    return this.batcher.load(key);
  }

  private safely<T>(call: (deadlineAt: number) => Promise<T>, options: CallOptions = {}): Promise<T> {
    return this.attempts(call, true, options);
  }

  private attempts<T>(call: (deadlineAt: number) => Promise<T>, idempotent: boolean, options: CallOptions): Promise<T> {
    const deadlineAt = Date.now() + (options.deadlineMs ?? this.deadlineMs);
    return withRetries(() => call(deadlineAt), { policy: this.retry, idempotent, deadlineAt });
  }
}

/** gRPC's libraries load only for a client that uses them, so an HTTP client starts without them. */
function grpcTransport(address: string, apiKey: string): LedgerTransport {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GrpcTransport } = require('./grpc-transport') as typeof import('./grpc-transport');
  return new GrpcTransport(address, apiKey);
}
