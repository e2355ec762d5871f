/**
 * A load generator in its own process, one per measured phase: its timers and garbage collection share
 * nothing with the bench's own heap (100k users, 60k records by then), which otherwise show up as server
 * latency. The parent sends a LoadPlan and receives a ConstantRateResult.
 */
import { fork } from 'node:child_process';
import { loadSync } from '@grpc/proto-loader';
import { toStruct } from '../apps/ledger/src/grpc/protobuf-struct';
import { EVALUATION_PROTO, PROTO_ROOT } from '../apps/ledger/src/ledger.app';
import { atConstantRate, type ConstantRateResult } from './constant-rate';
import { grpcCaller } from './grpc-caller';
import { httpCaller } from './http-caller';

/**
 * The generator's own garbage collection must not pause inside a measured phase, or its pauses are counted as
 * server latency. Its young generation is kept small, so each scavenge stays short (with V8's default 16 MiB
 * semi-spaces they averaged 5 ms, some over 20 ms). Node's HTTP/2 streams are reclaimed only by full
 * collections (counted with a FinalizationRegistry: client streams not yet collected grew with every call
 * across every scavenge and fell only at a mark-compact), so at 2,000 gRPC calls/s the old generation grows
 * about 13 MB/s, and V8's default heap growth ran a 25-55 ms mark-compact every ~6 s. A phase is one process
 * of at most ~20 s: room for what it promotes, and a heap that grows tenfold before collecting, keep full
 * collections out of it (none seen).
 */
const GENERATOR_NODE_FLAGS = ['--max-semi-space-size=4', '--initial-old-space-size=512', '--heap-growing-percent=1000'];

/** Strings in a call may hold `{i}` (the call's index) or `{i%N}` (the index modulo N), so every call can differ. */
export type LoadCall =
  | { transport: 'http'; baseUrl: string; headers: Record<string, string>; method: 'GET' | 'POST' | 'PUT'; path: string; body?: string }
  | { transport: 'grpc-evaluate'; address: string; apiKey: string; experiment: string; userID: string };

export interface LoadPlan {
  call: LoadCall;
  rate: number;
  seconds: number;
  /** Run first at the same rate, unmeasured, so JIT compilation and cold pools are not timed. */
  warmUp?: { seconds: number; call: LoadCall };
  /**
   * HTTP only: a call unanswered this long fails (timed at the limit, so the percentiles are a lower bound),
   * so a phase the server cannot keep up with ends on time instead of draining its queue for minutes.
   */
  callTimeoutMs?: number;
}

const fill = (template: string, index: number): string => template.replace(/\{i(?:%(\d+))?\}/g, (_match, modulo?: string) => String(modulo ? index % Number(modulo) : index));

function callerFor(call: LoadCall, timeoutMs?: number): { call(index: number): Promise<true | string>; close(): Promise<void> } {
  if (call.transport === 'http') {
    const http = httpCaller(call.baseUrl, call.headers, undefined, timeoutMs);
    return { call: (index) => http.call({ method: call.method, path: fill(call.path, index), body: call.body && fill(call.body, index) }), close: () => http.close() };
  }
  const definition = loadSync([EVALUATION_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
  const { path, requestSerialize } = (definition['assignment_ledger.v1.Evaluation'] as unknown as Record<string, { path: string; requestSerialize(request: object): Buffer }>)['Evaluate']!;
  const grpc = grpcCaller(call.address, { authorization: `Bearer ${call.apiKey}` });
  return {
    call: (index) => grpc.call(path, requestSerialize({ experiment: call.experiment, user: toStruct({ userID: fill(call.userID, index) }) })),
    close: () => grpc.close(),
  };
}

async function runPlan(plan: LoadPlan): Promise<ConstantRateResult> {
  if (plan.warmUp) {
    const warm = callerFor(plan.warmUp.call, plan.callTimeoutMs);
    await atConstantRate(warm.call, plan.rate, plan.warmUp.seconds);
    await warm.close();
  }
  const measured = callerFor(plan.call, plan.callTimeoutMs);
  try {
    return await atConstantRate(measured.call, plan.rate, plan.seconds);
  } finally {
    await measured.close();
  }
}

/** Runs one plan in a fresh process and resolves with its figures. */
export function generateLoad(plan: LoadPlan): Promise<ConstantRateResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { execArgv: GENERATOR_NODE_FLAGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (result) => resolve(result as ConstantRateResult));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator exited with ${code} before reporting`)));
    child.send(plan);
  });
}

if (require.main === module) {
  process.once('message', (plan) => {
    runPlan(plan as LoadPlan).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) => {
        console.error(`load generator: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
      },
    );
  });
}
