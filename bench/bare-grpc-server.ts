/**
 * The gRPC transport's own floor on this machine: a bare grpc-js server (no Nest, no guard, no database, no
 * decision) serving the ledger's Evaluation service from the same .proto, run as the ledger runs (its own
 * process, the services' Node flags), answering every Evaluate at once with a sticky hit's answer. The
 * same load generator times it at the same rate as the ledger, so the two p99s are read side by side.
 */
import { fork } from 'node:child_process';
import { type sendUnaryData, Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { SERVICE_NODE_FLAGS } from '@ledger/platform';
import { toStruct } from '../apps/ledger/src/grpc/protobuf-struct';
import { EVALUATION_PROTO, PROTO_LOADER_OPTIONS } from '../apps/ledger/src/ledger.app';

/** What the ledger answers for a sticky hit of the bench experiment, so both servers encode the same message. */
const STICKY_HIT = {
  experiment: 'checkout_button',
  version: 1,
  groupName: 'Control',
  ruleId: 'checkout_button:Control',
  parameters: toStruct({ color: 'blue', size: 12 }),
  reason: 'Persisted',
  buckets: { allocation: 4711, group: 1234 },
  sticky: { key: 'sticky-1:userID', savedAt: '2026-01-01T00:00:00.000Z', eventId: '00000000-0000-4000-8000-000000000000', experimentVersion: 1 },
  targeting: null,
};

export interface BareGrpcServer {
  address: string;
  stop(): Promise<void>;
}

/** Starts the bare server in a process of its own and resolves with its address. */
export function startBareGrpcServer(): Promise<BareGrpcServer> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { execArgv: [...SERVICE_NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bare gRPC server exited with ${code} before it listened`)));
    child.once('message', (message) =>
      resolve({
        address: String((message as { address: string }).address),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      }),
    );
  });
}

function serve(): void {
  const definition = loadSync([EVALUATION_PROTO], PROTO_LOADER_OPTIONS);
  const evaluation = definition['assignment_ledger.v1.Evaluation'] as unknown as ServiceDefinition;
  const server = new Server();
  // Only Evaluate is timed; grpc-js answers the service's other methods UNIMPLEMENTED.
  const evaluate = (_call: unknown, callback: sendUnaryData<typeof STICKY_HIT>) => callback(null, STICKY_HIT);
  server.addService(evaluation, { Evaluate: evaluate } as UntypedServiceImplementation);
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.send!({ address: `127.0.0.1:${port}` });
  });
  process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

if (require.main === module) serve();
