/* eslint-disable @typescript-eslint/no-explicit-any -- @grpc/proto-loader's messages are untyped; their shapes are those of proto/assignment_ledger/v1. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { CALLER_HEADER } from './contract/ledger-events';
import { type DeleteReason, type DeleteResult, type EvaluationResult, type PublishedExperiment, type SaveResult, type StickyValuesInput, type UserPersistedValues } from './contract/api-types';
import { LedgerDeadlineExceededError, LedgerError, LedgerRequestError, LedgerUnavailableError } from './errors';
import { fromStruct, type ProtoStruct, toStruct } from './protobuf-struct';
import { type EvaluateRequest, type LedgerTransport, type WriteRequestOptions } from './transport';

type Callback = (error: ServiceError | null, response: any) => void;
type UnaryMethod = (request: object, metadata: Metadata, options: { deadline: number }, callback: Callback) => void;
type ServiceClient = Record<string, UnaryMethod> & { close(): void };

/** The package ships the .proto files beside its code; in this repository they live at its root. */
function protoRoot(): string {
  const candidates = [join(__dirname, '..', '..', 'proto'), join(__dirname, '..', '..', '..', 'proto')];
  const found = candidates.find((dir) => existsSync(join(dir, 'assignment_ledger', 'v1', 'persisted_values.proto')));
  if (!found) throw new Error('the ledger .proto files are missing from the package');
  return found;
}

const CLIENT_ERROR_STATUSES = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.RESOURCE_EXHAUSTED,
]);

/** The ledger's gRPC API (proto/assignment_ledger/v1), with plain JSON in and out where the protos carry Structs. */
export class GrpcTransport implements LedgerTransport {
  private readonly persisted: ServiceClient;
  private readonly evaluation: ServiceClient;

  constructor(
    address: string,
    private readonly apiKey: string,
  ) {
    const root = protoRoot();
    const files = ['persisted_values.proto', 'evaluation.proto'].map((file) => join(root, 'assignment_ledger', 'v1', file));
    const definition = loadSync(files, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [root] });
    const v1 = (loadPackageDefinition(definition) as any).assignment_ledger.v1;
    this.persisted = new v1.PersistedValues(address, credentials.createInsecure());
    this.evaluation = new v1.Evaluation(address, credentials.createInsecure());
  }

  async load(key: string, asOf: string | undefined, deadlineAt: number): Promise<UserPersistedValues> {
    const response = await this.unary(this.persisted, 'Load', { key, asOf: asOf ?? '' }, deadlineAt);
    return (fromStruct(response.values) ?? {}) as UserPersistedValues;
  }

  async batchLoad(keys: string[], deadlineAt: number): Promise<Record<string, UserPersistedValues>> {
    const response = await this.unary(this.persisted, 'BatchLoad', { keys }, deadlineAt);
    return Object.fromEntries((response.results as { key: string; values: ProtoStruct }[]).map(({ key, values }) => [key, (fromStruct(values) ?? {}) as UserPersistedValues]));
  }

  async save(key: string, configName: string, value: StickyValuesInput, options: WriteRequestOptions, deadlineAt: number): Promise<SaveResult> {
    const request = { key, configName, stickyValues: toStruct(value), respondAsync: options.respondAsync ?? false };
    const response = await this.unary(this.persisted, 'Save', request, deadlineAt, options);
    const outcome = String(response.outcome).toLowerCase() as SaveResult['outcome'];
    const eventId = response.eventId || null;
    if (outcome === 'accepted') return { outcome, eventId };
    return { outcome, eventId, value: (fromStruct(response.value) ?? null) as never };
  }

  async delete(key: string, configName: string, reason: DeleteReason | undefined, options: WriteRequestOptions, deadlineAt: number): Promise<DeleteResult> {
    const request = { key, configName, reason: reason ?? '', respondAsync: options.respondAsync ?? false };
    const response = await this.unary(this.persisted, 'Delete', request, deadlineAt, options);
    return { outcome: String(response.outcome).toLowerCase() as DeleteResult['outcome'], eventId: response.eventId || null };
  }

  async evaluate(experiment: string, request: EvaluateRequest, deadlineAt: number): Promise<EvaluationResult> {
    return evaluationResult(await this.unary(this.evaluation, 'Evaluate', { experiment, ...evaluateMessage(request) }, deadlineAt));
  }

  async evaluateAll(request: EvaluateRequest, deadlineAt: number): Promise<EvaluationResult[]> {
    return ((await this.unary(this.evaluation, 'EvaluateAll', evaluateMessage(request), deadlineAt)).results as unknown[]).map(evaluationResult);
  }

  async getExperiment(name: string, version: number | undefined, deadlineAt: number): Promise<PublishedExperiment> {
    const response = await this.unary(this.evaluation, 'GetExperiment', { name, version: version ?? 0 }, deadlineAt);
    return { ...response, spec: fromStruct(response.spec), diff: fromStruct(response.diff) };
  }

  close(): void {
    this.persisted.close();
    this.evaluation.close();
  }

  private unary(client: ServiceClient, method: string, request: object, deadlineAt: number, options: WriteRequestOptions = {}): Promise<any> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${this.apiKey}`);
    if (options.caller) metadata.set(CALLER_HEADER, options.caller);
    return new Promise((resolve, reject) => {
      client[method]!.call(client, request, metadata, { deadline: deadlineAt }, (error, response) => (error ? reject(ledgerErrorOf(error, method)) : resolve(response)));
    });
  }
}

function evaluateMessage(request: EvaluateRequest) {
  return { user: toStruct(request.user), persist: request.persist === undefined ? null : { value: request.persist }, enforceTargeting: request.enforceTargeting ?? false };
}

function evaluationResult(message: any): EvaluationResult {
  return {
    experiment: message.experiment,
    version: message.version,
    groupName: message.groupName === '' ? null : message.groupName,
    ruleId: message.ruleId,
    parameters: fromStruct(message.parameters) ?? {},
    reason: message.reason,
    buckets: message.buckets ?? null,
    targeting: (fromStruct(message.targeting) ?? null) as EvaluationResult['targeting'],
    sticky: message.sticky ? { ...message.sticky, experimentVersion: message.sticky.experimentVersion === 0 ? null : message.sticky.experimentVersion } : null,
  };
}

function ledgerErrorOf(error: ServiceError, method: string): LedgerError {
  const code = String(error.metadata?.get('error-code')[0] ?? status[error.code] ?? 'UNKNOWN');
  const message = `${method}: ${error.details || error.message}`;
  const details = { grpcStatus: error.code, cause: error };
  if (error.code === status.UNAVAILABLE) return new LedgerUnavailableError(error.metadata?.get('error-code').length ? code : 'CONNECTION_FAILED', message, details);
  if (error.code === status.DEADLINE_EXCEEDED) return new LedgerDeadlineExceededError('DEADLINE_EXCEEDED', message, details);
  if (CLIENT_ERROR_STATUSES.has(error.code)) return new LedgerRequestError(code, message, details);
  return new LedgerError(code, message, details);
}
