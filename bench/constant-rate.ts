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
  /**
   * How late the generator itself started calls, p99: it shares the machine with the server, and when this
   * nears p99Ms the figure is the generator's, not the server's.
   */
  startLagP99Ms: number;
}

/** One line for a run: its percentiles, what was answered, and any failures by kind. */
export const describeRun = (what: string, result: ConstantRateResult): string =>
  `${what} at ${result.rate}/s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, ${result.ok}/${result.sent} ok, ${result.answeredPerSecond} answered/s, generator start lag p99 ${result.startLagP99Ms} ms` +
  (result.failed > 0
    ? ` (failures: ${Object.entries(result.failures)
        .map(([reason, count]) => `${count} ${reason}`)
        .join(', ')})`
    : '');

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
  const startLags: number[] = [];
  let outstanding = 0;
  let drained: () => void = () => undefined;
  const settled = () => {
    outstanding -= 1;
    if (outstanding === 0) drained();
  };
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    // Every call due by now, each timed from its own moment; timers fire about once a millisecond.
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent += 1) {
      const scheduledAt = start + (sent * 1000) / rate;
      startLags.push(performance.now() - scheduledAt);
      outstanding += 1;
      call(sent).then(
        (outcome) => {
          latencies.push(performance.now() - scheduledAt);
          if (outcome === true) ok += 1;
          else fail(outcome);
          settled();
        },
        (error: unknown) => {
          fail(error instanceof Error ? error.message : String(error));
          settled();
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (outstanding > 0) await new Promise<void>((resolve) => (drained = resolve));
  const answeredPerSecond = Math.round(((ok + failed) * 1000) / (performance.now() - start));
  return {
    rate,
    seconds,
    sent,
    ok,
    failed,
    failures,
    answeredPerSecond,
    p50Ms: quantile(latencies, 0.5),
    p90Ms: quantile(latencies, 0.9),
    p99Ms: quantile(latencies, 0.99),
    maxMs: quantile(latencies, 1),
    startLagP99Ms: quantile(startLags, 0.99),
  };
}

const round = (value: number): number => Math.round(value * 10) / 10;

function quantile(values: number[], q: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
}
