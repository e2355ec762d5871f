import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ConstantRateResult {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  failed: number;
  /** Failed calls by what went wrong (status or error), so an overload is told from a bug. */
  failures: Record<string, number>;
  /** Calls answered per second, from the first start to the last answer: below `rate` when the server fell behind. */
  answeredPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Starts `rate` calls a second for `seconds`, each at its scheduled moment whatever earlier calls are doing
 * (an open loop, the way independent users arrive), and times each from that moment, so a server that
 * falls behind shows its queue in the figures instead of slowing the load down (no coordinated omission).
 * Load generators that pace each connection by the second send their quota in a burst and then idle.
 */
export async function atConstantRate(call: (index: number) => Promise<true | string>, rate: number, seconds: number): Promise<ConstantRateResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const fail = (reason: string) => {
    failed += 1;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    // Every call due by now, each timed from its own moment; timers fire about once a millisecond.
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent += 1) {
      const scheduledAt = start + (sent * 1000) / rate;
      const pending = call(sent).then(
        (outcome) => {
          latencies.push(performance.now() - scheduledAt);
          if (outcome === true) ok += 1;
          else fail(outcome);
        },
        (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
      );
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  const answeredPerSecond = Math.round(((ok + failed) * 1000) / (performance.now() - start));
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? NaN);
  return { rate, seconds, sent, ok, failed, failures, answeredPerSecond, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: round(latencies[latencies.length - 1] ?? NaN) };
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
}

/** One HTTP call on a keep-alive connection pool; true for a 2xx answer, else the status and error code. */
export function httpCaller(baseUrl: string, headers: Record<string, string>, maxSockets = 64): { call(spec: HttpCall): Promise<true | string>; close(): void } {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    call: (spec) =>
      new Promise<true | string>((resolve, reject) => {
        const outgoing = request({ host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers, agent }, (response) => {
          const status = response.statusCode ?? 0;
          let body = '';
          response.on('data', (chunk: Buffer) => void (status >= 300 && (body += chunk.toString())));
          response.once('end', () => resolve(status >= 200 && status < 300 ? true : `HTTP ${status} ${/"code":"([A-Z_]+)"/.exec(body)?.[1] ?? ''}`.trim()));
        });
        outgoing.once('error', reject);
        outgoing.end(spec.body);
      }),
    close: () => agent.destroy(),
  };
}

const round = (value: number): number => Math.round(value * 10) / 10;
