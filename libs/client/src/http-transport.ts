import { CALLER_HEADER } from './contract/ledger-events';
import { type DeleteReason, type DeleteResult, type EvaluationResult, type PublishedExperiment, type SaveResult, type StickyValuesInput, type UserPersistedValues } from './contract/api-types';
import { errorForStatus, LedgerDeadlineExceededError, type LedgerError, LedgerUnavailableError } from './errors';
import { type EvaluateRequest, type LedgerTransport, type WriteRequestOptions } from './transport';

const segment = encodeURIComponent;

/** The ledger's HTTP API; Node's fetch keeps connections alive, so a call costs one round trip. */
export class HttpTransport implements LedgerTransport {
  private readonly baseUrl: string;

  constructor(
    url: string,
    private readonly apiKey: string,
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  async load(key: string, asOf: string | undefined, deadlineAt: number): Promise<UserPersistedValues> {
    const query = asOf === undefined ? '' : `?asOf=${encodeURIComponent(asOf)}`;
    return (await this.call<{ values: UserPersistedValues }>('GET', `/v1/persisted/${segment(key)}${query}`, deadlineAt)).values;
  }

  async batchLoad(keys: string[], deadlineAt: number): Promise<Record<string, UserPersistedValues>> {
    const { results } = await this.call<{ results: Record<string, { values: UserPersistedValues }> }>('POST', '/v1/persisted/batch-load', deadlineAt, { body: { keys } });
    return Object.fromEntries(Object.entries(results).map(([key, { values }]) => [key, values]));
  }

  async save(key: string, configName: string, value: StickyValuesInput, options: WriteRequestOptions, deadlineAt: number): Promise<SaveResult> {
    const answer = await this.call<SaveResult>('PUT', `/v1/persisted/${segment(key)}/${segment(configName)}`, deadlineAt, { body: value, headers: writeHeaders(options) });
    return { ...answer, eventId: answer.eventId ?? null } as SaveResult;
  }

  async delete(key: string, configName: string, reason: DeleteReason | undefined, options: WriteRequestOptions, deadlineAt: number): Promise<DeleteResult> {
    const query = reason === undefined ? '' : `?reason=${reason}`;
    const { outcome, eventId } = await this.call<DeleteResult>('DELETE', `/v1/persisted/${segment(key)}/${segment(configName)}${query}`, deadlineAt, { headers: writeHeaders(options) });
    return { outcome, eventId: eventId ?? null };
  }

  evaluate(experiment: string, request: EvaluateRequest, deadlineAt: number): Promise<EvaluationResult> {
    return this.call('POST', `/v1/experiments/${segment(experiment)}/evaluate`, deadlineAt, { body: request });
  }

  async evaluateAll(request: EvaluateRequest, deadlineAt: number): Promise<EvaluationResult[]> {
    return (await this.call<{ results: EvaluationResult[] }>('POST', '/v1/evaluate', deadlineAt, { body: request })).results;
  }

  getExperiment(name: string, version: number | undefined, deadlineAt: number): Promise<PublishedExperiment> {
    return this.call('GET', `/v1/experiments/${segment(name)}${version === undefined ? '' : `/versions/${version}`}`, deadlineAt);
  }

  /** Any route, for calls the typed methods do not cover (publishing an experiment, API keys). */
  async call<T>(method: string, path: string, deadlineAt: number, request: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
    const remaining = deadlineAt - Date.now();
    if (remaining <= 0) throw deadlinePassed(method, path);
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(remaining),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw deadlinePassed(method, path, error);
      throw new LedgerUnavailableError('CONNECTION_FAILED', `${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    const body = parse(text);
    if (response.ok) return body as T;
    throw errorFromAnswer(response, body, `${method} ${path}`);
  }

  close(): void {}
}

function writeHeaders(options: WriteRequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.respondAsync) headers.prefer = 'respond-async';
  if (options.caller) headers[CALLER_HEADER] = options.caller;
  return headers;
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFromAnswer(response: Response, body: unknown, what: string): LedgerError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: { eventId?: unknown } } } | undefined)?.error;
  const retryAfter = Number(response.headers.get('retry-after'));
  const eventId = error?.details?.eventId;
  const details = {
    ...(typeof eventId === 'string' ? { eventId } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
  if (typeof error?.code !== 'string') return errorForStatus(response.status, 'UNEXPECTED_RESPONSE', `${what} answered ${response.status}`, details);
  return errorForStatus(response.status, error.code, typeof error.message === 'string' ? error.message : error.code, details);
}

function deadlinePassed(method: string, path: string, cause?: unknown): LedgerDeadlineExceededError {
  return new LedgerDeadlineExceededError('DEADLINE_EXCEEDED', `${method} ${path}: the call's deadline passed`, cause === undefined ? {} : { cause });
}
