import autocannon from 'autocannon';
import { Client } from 'pg';
import { createTestEnvironment, killLeftoverServices, produceEvents, savedEvent, spawnService } from '@ledger/testing';

const RATE = 1000;
const SECONDS = 15;
const WARM_UP_SECONDS = 5;
// Few connections: autocannon paces each one separately, and many at once arrive as bursts rather than a steady rate.
const CONNECTIONS = 10;
const KEYS = 1000;

const EVALUATE_STICKY_RATE = 2000;
const EVALUATE_FIRST_RATE = 500;

export interface HttpResult {
  evaluateStickyHits: { rate: number; seconds: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number };
  evaluateFirstEvaluations: { rate: number; seconds: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number };
  loadAtRate: { rate: number; seconds: number; p50Ms: number; p99Ms: number; requests: number; errors: number; non2xx: number };
  saveToVisibleAtRate: { rate: number; seconds: number; p50Ms: number; p99Ms: number; saves: number; errors: number; non2xx: number };
}

async function jsonPut(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`PUT ${url} answered ${response.status}: ${await response.text()}`);
}

/** The ledger and the projector as operators run them (their own processes); the load comes from this one. */
export async function httpLatency(log: (line: string) => void): Promise<HttpResult> {
  const environment = await createTestEnvironment('bench-http');
  const env = { ...environment.env, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', LEDGER_TOPIC_PARTITIONS: '6' };
  const ledger = spawnService('ledger', env);
  const projector = spawnService('projector', env);
  const database = new Client({ connectionString: environment.databaseUrl });
  try {
    const url = await ledger.ready(60_000);
    await projector.ready(60_000);
    await database.connect();
    await produceEvents(environment.brokers, environment.topic, Array.from({ length: KEYS }, (_, index) => savedEvent(`bench-${index}:userID`, 'exp', index % 2 ? 'Control' : 'Test')));
    const headers = { authorization: `Bearer ${environment.adminKey}`, 'content-type': 'application/json' };

    let readIndex = 0;
    const loadRun = (seconds: number) =>
      autocannon({
        url,
        connections: CONNECTIONS,
        duration: seconds,
        overallRate: RATE,
        headers,
        requests: [{ method: 'GET', setupRequest: (request: autocannon.Request) => ({ ...request, path: `/v1/persisted/bench-${readIndex++ % KEYS}:userID` }) }],
      });
    await loadRun(WARM_UP_SECONDS);
    const load = await loadRun(SECONDS);
    log(`load at ${RATE}/s: p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${load.requests.total} requests, ${load.non2xx} non-2xx`);

    let saveIndex = 0;
    const body = JSON.stringify({ value: true, json_value: { color: 'blue' }, rule_id: 'r', group_name: 'Control', secondary_exposures: [], time: null, config_version: 1 });
    const saves = await autocannon({
      url,
      duration: SECONDS,
      overallRate: RATE,
      // A save waits for the broker's ack (tens of ms), so holding 1000/s takes more connections than a read.
      connections: CONNECTIONS * 8,
      headers: { ...headers, prefer: 'respond-async' },
      requests: [{ method: 'PUT', body, setupRequest: (request: autocannon.Request) => ({ ...request, path: `/v1/persisted/lag-${saveIndex++}:userID/exp` }) }],
    });
    // Save-to-visible: from the ledger stamping the event to the projector's insert (committed a moment later).
    const total = saves.requests.total;
    const visible = async () => Number((await database.query(`SELECT count(*) AS n FROM read_model.sticky_value_history WHERE persistence_key LIKE 'lag-%'`)).rows[0].n);
    const deadline = Date.now() + 60_000;
    while ((await visible()) < saves['2xx'] && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const { rows } = await database.query(`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, count(*) AS n
        FROM (SELECT extract(epoch FROM projected_at - occurred_at) * 1000 AS lag FROM read_model.sticky_value_history WHERE persistence_key LIKE 'lag-%') lags`);
    log(`save-to-visible at ${RATE}/s: p50 ${Number(rows[0].p50).toFixed(1)} ms, p99 ${Number(rows[0].p99).toFixed(1)} ms over ${rows[0].n} saves (${total} sent)`);
    // Evaluation over HTTP: sticky hits (users evaluated before) and first evaluations (new users each time).
    await jsonPut(`${url}/v1/experiments/checkout_button`, headers, {
      status: 'active',
      allocationPercent: 100,
      groups: [{ name: 'Control', weight: 50, parameters: { color: 'blue' } }, { name: 'Test', weight: 50, parameters: { color: 'green' } }],
    });
    const evaluateBody = (userID: string) => JSON.stringify({ user: { userID } });
    for (let index = 0; index < KEYS; index += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, offset) => fetch(`${url}/v1/experiments/checkout_button/evaluate`, { method: 'POST', headers, body: evaluateBody(`sticky-${index + offset}`) })));
    }
    let stickyIndex = 0;
    const stickyRun = (seconds: number) =>
      autocannon({
        url,
        connections: CONNECTIONS * 2,
        duration: seconds,
        overallRate: EVALUATE_STICKY_RATE,
        headers,
        requests: [{ method: 'POST', path: '/v1/experiments/checkout_button/evaluate', setupRequest: (request: autocannon.Request) => ({ ...request, body: evaluateBody(`sticky-${stickyIndex++ % KEYS}`) }) }],
      });
    await stickyRun(WARM_UP_SECONDS);
    const sticky = await stickyRun(SECONDS);
    log(`evaluate, sticky hits at ${EVALUATE_STICKY_RATE}/s: p50 ${sticky.latency.p50} ms, p99 ${sticky.latency.p99} ms, ${sticky.requests.total} requests, ${sticky.non2xx} non-2xx`);
    let firstIndex = 0;
    const first = await autocannon({
      url,
      connections: CONNECTIONS * 4,
      duration: SECONDS,
      overallRate: EVALUATE_FIRST_RATE,
      headers,
      requests: [{ method: 'POST', path: '/v1/experiments/checkout_button/evaluate', setupRequest: (request: autocannon.Request) => ({ ...request, body: evaluateBody(`first-${firstIndex++}`) }) }],
    });
    log(`evaluate, first evaluations at ${EVALUATE_FIRST_RATE}/s: p50 ${first.latency.p50} ms, p99 ${first.latency.p99} ms, ${first.requests.total} requests, ${first.non2xx} non-2xx`);

    return {
      evaluateStickyHits: { rate: EVALUATE_STICKY_RATE, seconds: SECONDS, p50Ms: sticky.latency.p50, p99Ms: sticky.latency.p99, requests: sticky.requests.total, non2xx: sticky.non2xx },
      evaluateFirstEvaluations: { rate: EVALUATE_FIRST_RATE, seconds: SECONDS, p50Ms: first.latency.p50, p99Ms: first.latency.p99, requests: first.requests.total, non2xx: first.non2xx },
      loadAtRate: { rate: RATE, seconds: SECONDS, p50Ms: load.latency.p50, p99Ms: load.latency.p99, requests: load.requests.total, errors: load.errors, non2xx: load.non2xx },
      saveToVisibleAtRate: {
        rate: RATE,
        seconds: SECONDS,
        p50Ms: Math.round(Number(rows[0].p50) * 10) / 10,
        p99Ms: Math.round(Number(rows[0].p99) * 10) / 10,
        saves: Number(rows[0].n),
        errors: saves.errors,
        non2xx: saves.non2xx,
      },
    };
  } finally {
    await database.end().catch(() => undefined);
    ledger.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');
    await Promise.all([ledger.exited(15_000), projector.exited(15_000)]).catch(() => killLeftoverServices());
    await environment.cleanup();
  }
}
