import { performance } from 'node:perf_hooks';
import { Metadata, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { type GrpcOptions, ServerGrpc } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { type RouteTimer, type ServiceMetrics } from '@ledger/platform';

type NestRpcHandler = (request: unknown, metadata: unknown, call: unknown) => Promise<unknown>;
/** What Nest passes for each method of a service: grpc-js's method definition. */
interface MethodDefinition {
  path?: string;
  requestStream?: boolean;
  responseStream?: boolean;
}
type PackageDefinition = Record<string, object>;

/** What a request deserializer answers for bytes that are no message of its type. */
const UNREADABLE_REQUEST = Symbol('unreadable request');

/** Shared by every refused call: grpc-js copies the trailers it sends, so one instance serves all. */
const UNREADABLE_REQUEST_STATUS = {
  code: status.INVALID_ARGUMENT,
  details: 'the request is not a valid protobuf message for this method',
  metadata: new Metadata(),
};
UNREADABLE_REQUEST_STATUS.metadata.set('error-code', 'INVALID_REQUEST');

/**
 * Makes every request deserializer in a loaded package definition answer UNREADABLE_REQUEST instead of
 * throwing: grpc-js answers a throwing deserializer with INTERNAL, which tells the caller the bug is ours.
 */
export function refuseUnreadableRequests(definition: PackageDefinition): void {
  for (const service of Object.values(definition)) {
    for (const method of Object.values(service) as Array<{ requestDeserialize?: unknown }>) {
      const deserialize = method?.requestDeserialize;
      if (typeof deserialize !== 'function') continue;
      method.requestDeserialize = (bytes: Buffer): unknown => {
        try {
          return deserialize(bytes);
        } catch {
          return UNREADABLE_REQUEST;
        }
      };
    }
  }
}

/**
 * Nest's gRPC server, answering unary calls without an Observable pipeline when the handler (guards, pipes,
 * filters and the controller, all still Nest's) settles with a plain value.
 *
 * Why: Node reclaims HTTP/2 streams only in full collections, and whatever a finished call's stream still
 * reaches is copied out of the young generation with it. Nest's own unary path copies the call, opens a
 * processing hook and an RxJS subscription per call, and at 2,000 sticky evaluations/s the ledger promoted
 * ~380 KB per scavenge with a constant answer against ~60 KB without them (--trace-gc-nvp), which lengthened
 * every scavenge and brought full collections sooner.
 *
 * An Observable result (the exception filters answer with one that errors; a streaming interceptor would)
 * answers with its value, as Nest's does (an empty one fails the call instead of waiting out its deadline).
 * The ledger sets no processing hooks, which this path does not call.
 *
 * A request whose bytes are no message of its type is answered INVALID_ARGUMENT here, before the guard or
 * the handler does any work (see refuseUnreadableRequests).
 */
export class UnaryAnswerGrpcServer extends ServerGrpc {
  constructor(
    options: Readonly<GrpcOptions>['options'],
    /** Times each unary call by its method path and status name; absent or disabled, calls are not timed. */
    private readonly metrics?: ServiceMetrics,
  ) {
    super({
      ...options,
      onLoadPackageDefinition: (definition: PackageDefinition, server: unknown) => {
        refuseUnreadableRequests(definition);
        options.onLoadPackageDefinition?.(definition, server);
      },
    });
  }

  /** Unary methods get a timer for their path (`/assignment_ledger.v1.Evaluation/Evaluate`), made once here. */
  override createServiceMethod(methodHandler: NestRpcHandler, method: MethodDefinition, streamType: never) {
    if (method.requestStream || method.responseStream || !this.metrics?.enabled || method.path === undefined) return super.createServiceMethod(methodHandler, method, streamType);
    return this.createUnaryServiceMethod(methodHandler, this.metrics.routeTimer('grpc', method.path));
  }

  override createUnaryServiceMethod(methodHandler: NestRpcHandler, timer?: RouteTimer) {
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      const startedAt = timer ? performance.now() : 0;
      if (call.request === UNREADABLE_REQUEST) {
        timer?.observe('INVALID_ARGUMENT', secondsSince(startedAt));
        return callback(UNREADABLE_REQUEST_STATUS);
      }
      methodHandler(call.request, call.metadata, call)
        .then((result) => (isObservable(result) ? lastValueFrom(result) : result))
        .then(
          (value) => {
            timer?.observe('OK', secondsSince(startedAt));
            callback(null, value);
          },
          // As Nest passes it: the filters' status object, else an error grpc-js answers UNKNOWN.
          (error: unknown) => {
            timer?.observe(statusNameOf(error), secondsSince(startedAt));
            callback(error as ServerErrorResponse);
          },
        );
    };
  }
}

const secondsSince = (startedAt: number): number => (performance.now() - startedAt) / 1000;

/** The status grpc-js answers a failed call with, by name: the code an exception filter chose, else UNKNOWN. */
export function statusNameOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return (typeof code === 'number' && status[code]) || 'UNKNOWN';
}
