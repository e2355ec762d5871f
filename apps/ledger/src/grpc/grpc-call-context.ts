import { type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { acceptedTraceparent, CALLER_HEADER, DECLARABLE_CALLER, type EventSource, storageCallSource } from '@ledger/events';
import { acceptedRequestId, InvalidRequestError } from '@ledger/platform';
import { principalOf } from '../auth/api-key.guard';
import { type CallContext } from '@ledger/ledger';

/**
 * Who called over gRPC, under which request id (the caller's well-formed `x-request-id`, else a new one), which
 * trace (a valid `traceparent`), and until when. A storage call may declare `x-ledger-caller: sdk_adapter`, as over HTTP.
 */
export function grpcCallContext(metadata: Metadata, route: EventSource, call: ServerUnaryCall<unknown, unknown>): CallContext {
  const declared = metadata.get(CALLER_HEADER);
  const source = route === 'storage_api' ? storageCallSource(declared.length > 1 ? declared : declared[0]) : route;
  if (source === undefined) throw new InvalidRequestError(`${CALLER_HEADER} may only be ${DECLARABLE_CALLER}, or be left out`);
  const context: CallContext = { apiKeyId: principalOf(metadata).apiKeyId, requestId: acceptedRequestId(metadata.get('x-request-id')[0]), source, deadline: deadlineOf(call) };
  const traceparent = acceptedTraceparent(metadata.get('traceparent')[0]);
  if (traceparent !== undefined) context.traceparent = traceparent;
  return context;
}

/** The call's deadline in ms since the epoch; a call already cancelled has nobody waiting for its answer, so its deadline has passed. */
function deadlineOf(call: ServerUnaryCall<unknown, unknown>): number | undefined {
  if (call.cancelled) return 0;
  const deadline = call.getDeadline();
  const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(epochMs) ? epochMs : undefined;
}
