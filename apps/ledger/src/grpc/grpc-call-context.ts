import { type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { acceptedTraceparent, type EventSource } from '@ledger/events';
import { acceptedRequestId } from '@ledger/platform';
import { principalOf } from '../auth/api-key.guard';
import { type CallContext } from '@ledger/ledger';

/**
 * Who called over gRPC, under which request id (the caller's well-formed `x-request-id`, else a new one), which
 * trace (a valid `traceparent`), and until when.
 */
export function grpcCallContext(metadata: Metadata, source: EventSource, call: ServerUnaryCall<unknown, unknown>): CallContext {
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
