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
export function httpCaller(baseUrl: string, headers: Record<string, string>, connections = 64): { call(spec: HttpCall): Promise<true | string>; close(): Promise<void> } {
  const pool = new Pool(baseUrl, { connections });
  return {
    call: async (spec) => {
      const { statusCode, body } = await pool.request({ method: spec.method, path: spec.path, headers, body: spec.body });
      if (statusCode >= 200 && statusCode < 300) {
        await body.dump();
        return true;
      }
      return `HTTP ${statusCode} ${/"code":"([A-Z_]+)"/.exec(await body.text())?.[1] ?? ''}`.trim();
    },
    close: () => pool.close(),
  };
}
