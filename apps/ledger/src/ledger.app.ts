import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { type INestApplication, type Type as Class } from '@nestjs/common';
import { type CustomStrategy } from '@nestjs/microservices';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { CARRIED_JSON_DEFS } from '@ledger/events';
import { BODY_LIMIT_BYTES, createHttpApp, DEPENDENCY_PROBES, type DependencyProbe, projectRoot, PUBLIC_ROUTE, registerOpenApi, type RouteAccess, ServiceMetrics } from '@ledger/platform';
import { type Scope } from './auth/api-key';
import { REQUIRED_SCOPES } from './auth/require-scopes.decorator';
import { type LedgerConfig } from './config';
import { HttpErrorFilter } from './errors/http-error.filter';
import { addHealthService } from './grpc/grpc-health.service';
import { UnaryAnswerGrpcServer } from './grpc/unary-answer-grpc.server';
import { LedgerModule } from './ledger.module';

export const PROTO_ROOT = join(projectRoot(__dirname), 'proto');
export const PERSISTED_VALUES_PROTO = join(PROTO_ROOT, 'assignment_ledger', 'v1', 'persisted_values.proto');
export const EVALUATION_PROTO = join(PROTO_ROOT, 'assignment_ledger', 'v1', 'evaluation.proto');
export const AUDIT_PROTO = join(PROTO_ROOT, 'assignment_ledger', 'v1', 'audit.proto');
/** How the ledger reads its .proto files: camelCase fields, 64-bit integers and enums as strings. */
export const PROTO_LOADER_OPTIONS = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };
/** The ledger's gRPC services, by full name (health answers for each). */
export const LEDGER_GRPC_SERVICES = ['assignment_ledger.v1.PersistedValues', 'assignment_ledger.v1.Evaluation', 'assignment_ledger.v1.AuditService'];

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(projectRoot(__dirname), 'package.json'), 'utf8')) as { version: string }).version;

/** The ledger: HTTP and gRPC in one process, sharing one module (and so one guard, one service, one producer). */
export function createLedgerApp(config: LedgerConfig): Promise<INestApplication> {
  return createHttpApp(LedgerModule.forRoot(config), {
    ...config.http,
    errorFilter: new HttpErrorFilter(),
    beforeListen: async (app) => {
      await registerOpenApi(app, {
        title: 'assignment ledger',
        version: PACKAGE_VERSION,
        description:
          'Sticky experiment assignments: storage for SDK adapters, the experiment registry, evaluation, and OpenFeature (OFREP). Errors answer {"error": {"code", "message"}}; the OFREP routes answer their failures in OFREP\'s shape.',
        accessOf: ledgerRouteAccess,
        definitions: CARRIED_JSON_DEFS,
      });
      const probes = app.get<DependencyProbe[]>(DEPENDENCY_PROBES);
      app.connectMicroservice<CustomStrategy>(
        {
          strategy: new UnaryAnswerGrpcServer(
            {
              package: 'assignment_ledger.v1',
              protoPath: [PERSISTED_VALUES_PROTO, EVALUATION_PROTO, AUDIT_PROTO],
              url: `${config.grpc.host}:${config.grpc.port}`,
              loader: PROTO_LOADER_OPTIONS,
              // HTTP's body limit, refused before any work; grpc-js's default (4 MB) is more than the broker takes (~1 MB).
              maxReceiveMessageLength: BODY_LIMIT_BYTES,
              // Served beside Nest's handlers, without a key, like /health: tools discover the API and probes ask readiness.
              onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
                new ReflectionService({ ...definition, ...loadSync(HEALTH_PROTO) }).addToServer(server);
                addHealthService(server, probes, LEDGER_GRPC_SERVICES);
              },
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

/** As ApiKeyGuard decides: public routes need no key; others the scopes they declare, else admin. */
function ledgerRouteAccess(handler: object, controller: Class): RouteAccess {
  const declared = <T>(key: string): T | undefined => (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
  if (declared<boolean>(PUBLIC_ROUTE)) return { public: true };
  return { public: false, scopes: declared<Scope[]>(REQUIRED_SCOPES) ?? ['admin'] };
}
