import { type Metadata } from '@grpc/grpc-js';
import { type EventSource } from '@ledger/events';
import { acceptedRequestId } from '@ledger/platform';
import { principalOf } from '../auth/api-key.guard';
import { type CallContext } from '../sticky-values/sticky-values.service';

/** Who called over gRPC and under which request id (the caller's well-formed `x-request-id`, else a new one). */
export function grpcCallContext(metadata: Metadata, source: EventSource): CallContext {
  return { apiKeyId: principalOf(metadata).apiKeyId, requestId: acceptedRequestId(metadata.get('x-request-id')[0]), source };
}
