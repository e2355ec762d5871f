import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Client } from 'pg';
import { createTestEnvironment, eventually, killLeftoverServices, produceEvents, savedEvent, spawnService } from '@ledger/testing';
import { toStruct } from '../apps/ledger/src/grpc/protobuf-struct';
import { EVALUATION_PROTO, PROTO_ROOT } from '../apps/ledger/src/ledger.app';
import { atConstantRate, type ConstantRateResult, httpCaller } from './constant-rate';

const READ_RATE = 1000;
const SAVE_RATE = 1000;
const EVALUATE_STICKY_RATE = 2000;
const EVALUATE_FIRST_RATE = 500;
const SECONDS = 15;
/** Run before each timed phase with other keys or users, so JIT compilation and cold pools are not timed. */
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
  grpcEvaluateFirstEvaluations: ConstantRateResult;
}

type GrpcCall = (request: object, metadata: Metadata, callback: (error: Error | null) => void) => void;

const describe = (what: string, result: ConstantRateResult) =>
  `${what} at ${result.rate}/s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, ${result.ok}/${result.sent} ok, ${result.answeredPerSecond} answered/s`;

/**
 * The ledger and the projector as operators run them (their own processes), loaded from this one at
 * constant rates (an open loop, see atConstantRate), over HTTP and gRPC.
 */
export async function serviceLatency(log: (line: string) => void): Promise<LatencyResult> {
  const environment = await createTestEnvironment('bench-latency');
  const env = { ...environment.env, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', LEDGER_TOPIC_PARTITIONS: '6' };
  const ledger = spawnService('ledger', env);
  const projector = spawnService('projector', env);
  const database = new Client({ connectionString: environment.databaseUrl });
  const headers = { authorization: `Bearer ${environment.adminKey}`, 'content-type': 'application/json' };
  let http: ReturnType<typeof httpCaller> | undefined;
  let evaluation: (Record<'Evaluate', GrpcCall> & { close(): void }) | undefined;
  try {
    const url = await ledger.ready(60_000);
    await projector.ready(60_000);
    await database.connect();
    http = httpCaller(url, headers);
    const count = async (pattern: string) => Number((await database.query('SELECT count(*) AS n FROM read_model.sticky_value_history WHERE persistence_key LIKE $1', [pattern])).rows[0].n);

    // load(): keys the projection holds, read round-robin.
    await produceEvents(environment.brokers, environment.topic, Array.from({ length: KEYS }, (_, index) => savedEvent(`bench-${index}:userID`, 'exp', index % 2 ? 'Control' : 'Test')));
    await eventually(async () => ((await count('bench-%')) === KEYS ? true : undefined), { what: 'the read model holding the keys to load' });
    const load = (index: number) => http!.call({ method: 'GET', path: `/v1/persisted/bench-${index % KEYS}:userID` });
    await atConstantRate(load, READ_RATE, WARM_UP_SECONDS);
    const httpLoad = await atConstantRate(load, READ_RATE, SECONDS);
    log(describe('HTTP load', httpLoad));

    // Save-to-visible: from the ledger stamping the event to the projector's insert (committed a moment later).
    const body = JSON.stringify({ value: true, json_value: { color: 'blue' }, rule_id: 'r', group_name: 'Control', secondary_exposures: [], time: null, config_version: 1 });
    const asyncHttp = httpCaller(url, { ...headers, prefer: 'respond-async' });
    const saves = await atConstantRate((index) => asyncHttp.call({ method: 'PUT', path: `/v1/persisted/lag-${index}:userID/exp`, body }), SAVE_RATE, SECONDS);
    asyncHttp.close();
    await eventually(async () => ((await count('lag-%')) >= saves.ok ? true : undefined), { timeoutMs: 60_000, what: 'every accepted save projected' });
    const { rows } = await database.query(`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, count(*) AS n
        FROM (SELECT extract(epoch FROM projected_at - occurred_at) * 1000 AS lag FROM read_model.sticky_value_history WHERE persistence_key LIKE 'lag-%') lags`);
    const saveToVisible = { rate: SAVE_RATE, seconds: SECONDS, saves: Number(rows[0].n), failed: saves.failed, p50Ms: Math.round(Number(rows[0].p50) * 10) / 10, p99Ms: Math.round(Number(rows[0].p99) * 10) / 10 };
    log(`save-to-visible at ${SAVE_RATE}/s: p50 ${saveToVisible.p50Ms} ms, p99 ${saveToVisible.p99Ms} ms over ${saveToVisible.saves} saves (answer p99 ${saves.p99Ms} ms, ${saves.failed} failed)`);

    // Evaluation: sticky hits (users evaluated before) and first evaluations (a new user each call).
    const published = await http.call({
      method: 'PUT',
      path: '/v1/experiments/checkout_button',
      body: JSON.stringify({ status: 'active', allocationPercent: 100, groups: [{ name: 'Control', weight: 50, parameters: { color: 'blue' } }, { name: 'Test', weight: 50, parameters: { color: 'green' } }] }),
    });
    if (!published) throw new Error('publishing the bench experiment failed');
    const httpEvaluate = (userID: string) => http!.call({ method: 'POST', path: '/v1/experiments/checkout_button/evaluate', body: JSON.stringify({ user: { userID } }) });
    for (let index = 0; index < KEYS; index += 50) await Promise.all(Array.from({ length: 50 }, (_, offset) => httpEvaluate(`sticky-${index + offset}`)));
    await eventually(async () => ((await count('sticky-%')) === KEYS ? true : undefined), { what: 'the sticky users saved' });

    await atConstantRate((index) => httpEvaluate(`sticky-${index % KEYS}`), EVALUATE_STICKY_RATE, WARM_UP_SECONDS);
    const httpEvaluateStickyHits = await atConstantRate((index) => httpEvaluate(`sticky-${index % KEYS}`), EVALUATE_STICKY_RATE, SECONDS);
    log(describe('HTTP evaluate, sticky hits', httpEvaluateStickyHits));
    const httpEvaluateFirstEvaluations = await atConstantRate((index) => httpEvaluate(`http-first-${index}`), EVALUATE_FIRST_RATE, SECONDS);
    log(describe('HTTP evaluate, first evaluations', httpEvaluateFirstEvaluations));

    const definition = loadSync([EVALUATION_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
    const services = loadPackageDefinition(definition) as unknown as { assignment_ledger: { v1: { Evaluation: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => typeof evaluation } } };
    evaluation = new services.assignment_ledger.v1.Evaluation(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${environment.adminKey}`);
    const grpcEvaluate = (userID: string) =>
      new Promise<boolean>((resolve) => evaluation!.Evaluate({ experiment: 'checkout_button', user: toStruct({ userID }) }, metadata, (error) => resolve(error === null)));
    await atConstantRate((index) => grpcEvaluate(`sticky-${index % KEYS}`), EVALUATE_STICKY_RATE, WARM_UP_SECONDS);
    const grpcEvaluateStickyHits = await atConstantRate((index) => grpcEvaluate(`sticky-${index % KEYS}`), EVALUATE_STICKY_RATE, SECONDS);
    log(describe('gRPC evaluate, sticky hits', grpcEvaluateStickyHits));
    const grpcEvaluateFirstEvaluations = await atConstantRate((index) => grpcEvaluate(`grpc-first-${index}`), EVALUATE_FIRST_RATE, SECONDS);
    log(describe('gRPC evaluate, first evaluations', grpcEvaluateFirstEvaluations));

    return { httpLoad, saveToVisible, httpEvaluateStickyHits, httpEvaluateFirstEvaluations, grpcEvaluateStickyHits, grpcEvaluateFirstEvaluations };
  } finally {
    http?.close();
    evaluation?.close();
    await database.end().catch(() => undefined);
    ledger.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');
    await Promise.all([ledger.exited(15_000), projector.exited(15_000)]).catch(() => killLeftoverServices());
    await environment.cleanup();
  }
}
