import { Client } from 'pg';
import { checkoutButtonSpec, createTestEnvironment, eventually, killLeftoverServices, produceEvents, savedEvent, spawnService } from '@ledger/testing';
import { startBareGrpcServer } from './bare-grpc-server';
import { type ConstantRateResult, describeRun } from './constant-rate';
import { httpCaller } from './http-caller';
import { generateLoad, type LoadCall } from './load-generator';

const READ_RATE = 1000;
const SAVE_RATE = 1000;
const EVALUATE_STICKY_RATE = 2000;
const EVALUATE_FIRST_RATE = 500;
const SECONDS = 15;
/** Sticky-hit phases run this long unmeasured first, so JIT compilation and cold pools are not timed. */
const WARM_UP_SECONDS = 5;
const KEYS = 1000;

export interface SaveToVisible {
  rate: number;
  seconds: number;
  saves: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LatencyResult {
  httpLoad: ConstantRateResult;
  saveToVisible: SaveToVisible;
  httpEvaluateStickyHits: ConstantRateResult;
  httpEvaluateFirstEvaluations: ConstantRateResult;
  grpcEvaluateStickyHits: ConstantRateResult;
  /** The same calls at the same rate answered by a bare grpc-js server: what the transport alone costs here. */
  grpcBareServer: ConstantRateResult;
  grpcEvaluateFirstEvaluations: ConstantRateResult;
}

/**
 * The ledger and the projector as operators run them (their own processes), loaded at constant rates (an
 * open loop, see atConstantRate) over HTTP and gRPC by a load generator in a process of its own.
 */
export async function serviceLatency(log: (line: string) => void): Promise<LatencyResult> {
  const environment = await createTestEnvironment('bench-latency');
  const env = { ...environment.env, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', LEDGER_TOPIC_PARTITIONS: '6' };
  const ledger = spawnService('ledger', env);
  const projector = spawnService('projector', env);
  const database = new Client({ connectionString: environment.databaseUrl });
  const headers = { authorization: `Bearer ${environment.adminKey}`, 'content-type': 'application/json' };
  let http: ReturnType<typeof httpCaller> | undefined;
  try {
    const url = await ledger.ready(60_000);
    await projector.ready(60_000);
    await database.connect();
    http = httpCaller(url, headers);
    const count = async (pattern: string) => Number((await database.query('SELECT count(*) AS n FROM read_model.sticky_value_history WHERE persistence_key LIKE $1', [pattern])).rows[0].n);
    const httpCall = (method: 'GET' | 'POST' | 'PUT', path: string, body?: string, extraHeaders: Record<string, string> = {}): LoadCall => ({
      transport: 'http',
      baseUrl: url,
      headers: { ...headers, ...extraHeaders },
      method,
      path,
      body,
    });

    // Reads first, writes last: a write phase leaves work behind (the projector's batches, autovacuum, dirty
    // pages on their way to disk) that a read phase after it would time as its own latency.

    // load(): keys the projection holds, read round-robin.
    await produceEvents(
      environment.brokers,
      environment.topic,
      Array.from({ length: KEYS }, (_, index) => savedEvent(`bench-${index}:userID`, 'exp', index % 2 ? 'Control' : 'Test')),
    );
    await eventually(async () => ((await count('bench-%')) === KEYS ? true : undefined), { what: 'the read model holding the keys to load' });
    const loadCall = httpCall('GET', `/v1/persisted/bench-{i%${KEYS}}:userID`);
    const httpLoad = await generateLoad({ call: loadCall, rate: READ_RATE, seconds: SECONDS, warmUp: { seconds: WARM_UP_SECONDS, call: loadCall } });
    log(describeRun('HTTP load', httpLoad));

    // Evaluation: sticky hits (users evaluated before) now, first evaluations (a new user each call) last.
    const published = await http.call({
      method: 'PUT',
      path: '/v1/experiments/checkout_button',
      body: JSON.stringify(checkoutButtonSpec({ targeting: [] })),
    });
    if (published !== true) throw new Error(`publishing the bench experiment failed: ${published}`);
    const evaluatePath = '/v1/experiments/checkout_button/evaluate';
    const evaluateBody = (userID: string) => JSON.stringify({ user: { userID } });
    for (let index = 0; index < KEYS; index += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, offset) => http!.call({ method: 'POST', path: evaluatePath, body: evaluateBody(`sticky-${index + offset}`) })));
    }
    await eventually(async () => ((await count('sticky-%')) === KEYS ? true : undefined), { what: 'the sticky users saved' });

    const httpSticky = httpCall('POST', evaluatePath, evaluateBody(`sticky-{i%${KEYS}}`));
    const httpEvaluateStickyHits = await generateLoad({ call: httpSticky, rate: EVALUATE_STICKY_RATE, seconds: SECONDS, warmUp: { seconds: WARM_UP_SECONDS, call: httpSticky } });
    log(describeRun('HTTP evaluate, sticky hits', httpEvaluateStickyHits));
    const grpcCall = (userID: string): LoadCall => ({
      transport: 'grpc-evaluate',
      address: `127.0.0.1:${environment.env.GRPC_PORT}`,
      apiKey: environment.adminKey,
      experiment: 'checkout_button',
      userID,
    });
    const grpcSticky = grpcCall(`sticky-{i%${KEYS}}`);
    const grpcEvaluateStickyHits = await generateLoad({ call: grpcSticky, rate: EVALUATE_STICKY_RATE, seconds: SECONDS, warmUp: { seconds: WARM_UP_SECONDS, call: grpcSticky } });
    log(describeRun('gRPC evaluate, sticky hits', grpcEvaluateStickyHits));
    const bare = await startBareGrpcServer();
    let grpcBareServer: ConstantRateResult;
    try {
      const bareCall = { ...grpcSticky, address: bare.address };
      grpcBareServer = await generateLoad({ call: bareCall, rate: EVALUATE_STICKY_RATE, seconds: SECONDS, warmUp: { seconds: WARM_UP_SECONDS, call: bareCall } });
    } finally {
      await bare.stop();
    }
    log(describeRun('gRPC, bare grpc-js server answering at once', grpcBareServer));

    // Save-to-visible: from the ledger stamping the event to the projector's insert (committed a moment later).
    const saveBody = JSON.stringify({ value: true, json_value: { color: 'blue' }, rule_id: 'r', group_name: 'Control', secondary_exposures: [], time: null, config_version: 1 });
    const saves = await generateLoad({ call: httpCall('PUT', '/v1/persisted/lag-{i}:userID/exp', saveBody, { prefer: 'respond-async' }), rate: SAVE_RATE, seconds: SECONDS });
    await eventually(async () => ((await count('lag-%')) >= saves.ok ? true : undefined), { timeoutMs: 60_000, what: 'every accepted save projected' });
    const { rows } = await database.query(`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, count(*) AS n
        FROM (SELECT extract(epoch FROM projected_at - occurred_at) * 1000 AS lag FROM read_model.sticky_value_history WHERE persistence_key LIKE 'lag-%') lags`);
    const saveToVisible = {
      rate: SAVE_RATE,
      seconds: SECONDS,
      saves: Number(rows[0].n),
      failed: saves.failed,
      p50Ms: Math.round(Number(rows[0].p50) * 10) / 10,
      p99Ms: Math.round(Number(rows[0].p99) * 10) / 10,
    };
    log(`save-to-visible at ${SAVE_RATE}/s: p50 ${saveToVisible.p50Ms} ms, p99 ${saveToVisible.p99Ms} ms over ${saveToVisible.saves} saves (${describeRun('answers', saves)})`);

    const httpEvaluateFirstEvaluations = await generateLoad({ call: httpCall('POST', evaluatePath, evaluateBody('http-first-{i}')), rate: EVALUATE_FIRST_RATE, seconds: SECONDS });
    log(describeRun('HTTP evaluate, first evaluations', httpEvaluateFirstEvaluations));
    const grpcEvaluateFirstEvaluations = await generateLoad({ call: grpcCall('grpc-first-{i}'), rate: EVALUATE_FIRST_RATE, seconds: SECONDS });
    log(describeRun('gRPC evaluate, first evaluations', grpcEvaluateFirstEvaluations));

    return { httpLoad, saveToVisible, httpEvaluateStickyHits, httpEvaluateFirstEvaluations, grpcEvaluateStickyHits, grpcBareServer, grpcEvaluateFirstEvaluations };
  } finally {
    await http?.close();
    await database.end().catch(() => undefined);
    ledger.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');
    await Promise.all([ledger.exited(15_000), projector.exited(15_000)]).catch(() => killLeftoverServices());
    await environment.cleanup();
  }
}
