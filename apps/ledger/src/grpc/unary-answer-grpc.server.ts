import { type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall } from '@grpc/grpc-js';
import { ServerGrpc } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';

type NestRpcHandler = (request: unknown, metadata: unknown, call: unknown) => Promise<unknown>;

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
 */
export class UnaryAnswerGrpcServer extends ServerGrpc {
  override createUnaryServiceMethod(methodHandler: NestRpcHandler) {
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      methodHandler(call.request, call.metadata, call)
        .then((result) => (isObservable(result) ? lastValueFrom(result) : result))
        .then(
          (answer) => callback(null, answer),
          // As Nest passes it: the filters' status object, else an error grpc-js answers UNKNOWN.
          (error: unknown) => callback(error as ServerErrorResponse),
        );
    };
  }
}
