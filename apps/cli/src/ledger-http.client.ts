import { CliError, EXIT } from './cli-error';

export interface ConnectionOptions {
  url: string;
  key?: string;
  timeout: number;
}

/**
 * The ledger's HTTP API as the CLI calls it: each call has a deadline, so a ledger that is down or hangs
 * gives a one-line error instead of a wait, and an error answer becomes its code and message.
 */
export class LedgerHttpClient {
  constructor(private readonly connection: ConnectionOptions) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path).then(({ body }) => body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path).then(({ body }) => body);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body).then((answer) => answer.body);
  }

  /** With the status too: a publish answers 201 for a new version, 200 for an unchanged one. */
  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const { url, key, timeout } = this.connection;
    if (!key) throw new CliError('no API key: pass --key or set LEDGER_API_KEY', EXIT.usage);
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, url), {
        method,
        headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // One deadline for the whole exchange: connecting, the answer's headers and its body.
        signal: AbortSignal.timeout(timeout),
      });
      text = await response.text();
    } catch (error) {
      throw new CliError(unreachable(url, timeout, error));
    }
    const parsed = parseJson(text);
    if (!response.ok) {
      const answer = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CliError(answer?.code ? `${method} ${path}: ${response.status} ${answer.code}: ${answer.message ?? ''}`.trim() : `${method} ${path}: HTTP ${response.status}`);
    }
    return { status: response.status, body: parsed as T };
  }
}

function unreachable(url: string, timeout: number, error: unknown): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `the ledger at ${url} did not answer within ${timeout} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `cannot reach the ledger at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A path segment, escaped: keys and names may hold any character the ledger carries. */
export const segment = (value: string): string => encodeURIComponent(value);
