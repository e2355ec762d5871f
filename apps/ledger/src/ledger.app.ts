import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type CustomStrategy } from '@nestjs/microservices';
import { BODY_LIMIT_BYTES, createHttpApp, projectRoot, ServiceMetrics } from '@ledger/platform';
import { type LedgerConfig } from './config';
import { HttpErrorFilter } from './errors/http-error.filter';
import { UnaryAnswerGrpcServer } from './grpc/unary-answer-grpc.server';
import { LedgerModule } from './ledger.module';

export const PROTO_ROOT = join(projectRoot(__dirname), 'proto');
export const PERSISTED_VALUES_PROTO = join(PROTO_ROOT, 'assignment_ledger', 'v1', 'persisted_values.proto');
export const EVALUATION_PROTO = join(PROTO_ROOT, 'assignment_ledger', 'v1', 'evaluation.proto');
/** How the ledger reads its .proto files: camelCase fields, 64-bit integers and enums as strings. */
export const PROTO_LOADER_OPTIONS = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };

/** The ledger: HTTP and gRPC in one process, sharing one module (and so one guard, one service, one producer). */
export function createLedgerApp(config: LedgerConfig): Promise<INestApplication> {
  return createHttpApp(LedgerModule.forRoot(config), {
    ...config.http,
    errorFilter: new HttpErrorFilter(),
    beforeListen: async (app) => {
      app.connectMicroservice<CustomStrategy>(
        {
          strategy: new UnaryAnswerGrpcServer(
            {
              package: 'assignment_ledger.v1',
              protoPath: [PERSISTED_VALUES_PROTO, EVALUATION_PROTO],
              url: `${config.grpc.host}:${config.grpc.port}`,
              loader: PROTO_LOADER_OPTIONS,
              // HTTP's body limit, refused before any work; grpc-js's default (4 MB) is more than the broker takes (~1 MB).
              maxReceiveMessageLength: BODY_LIMIT_BYTES,
            },
            app.get(ServiceMetrics),
          ),
        },
        // The guard and pipes registered for HTTP apply to gRPC handlers too.
        { inheritAppConfig: true },
      );
      await app.startAllMicroservices();
    },
  });
}
