import { Pool } from 'undici';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
}

/**
 * HTTP calls on a pool of keep-alive connections; true for a 2xx answer, else the status and error code.
 * undici rather than node:http because the load generator's own cost is timed too: against a server that
 * answers at once, node:http's client alone put the p99 at 2,000 calls/s near 10 ms, undici near 4 ms.
 */
export function httpCaller(baseUrl: string, headers: Record<string, string>, connections = 64, timeoutMs?: number): { call(spec: HttpCall): Promise<true | string>; close(): Promise<void> } {
  const pool = new Pool(baseUrl, { connections });
  const answer = async (spec: HttpCall, signal?: AbortSignal): Promise<true | string> => {
    const { statusCode, body } = await pool.request({ method: spec.method, path: spec.path, headers, body: spec.body, signal });
    if (statusCode >= 200 && statusCode < 300) {
      await body.dump();
      return true;
    }
    return `HTTP ${statusCode} ${/"code":"([A-Z_]+)"/.exec(await body.text())?.[1] ?? ''}`.trim();
  };
  return {
    call: (spec) => {
      if (timeoutMs === undefined) return answer(spec);
      // A race, not only an abort signal: undici notices the signal of a call still queued for a connection late.
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve(`no answer within ${timeoutMs} ms`);
        }, timeoutMs);
      });
      return Promise.race([answer(spec, controller.signal).catch((error: unknown) => (controller.signal.aborted ? `no answer within ${timeoutMs} ms` : Promise.reject(error))), late]).finally(() =>
        clearTimeout(timer),
      );
    },
    // Calls given up on may still be queued: destroy drops them where close would wait for their answers.
    close: () => (timeoutMs === undefined ? pool.close() : pool.destroy()),
  };
}
