import { randomUUID } from 'node:crypto';
import { type Metadata } from '@grpc/grpc-js';
import { type EventSource } from '@ledger/events';
import { principalOf } from '../auth/api-key.guard';
import { type CallContext } from '../sticky-values/sticky-values.service';

/** Who called over gRPC and under which request id (the caller's `x-request-id`, else a new one). */
export function grpcCallContext(metadata: Metadata, source: EventSource): CallContext {
  const given = metadata.get('x-request-id')[0];
  return { apiKeyId: principalOf(metadata).apiKeyId, requestId: typeof given === 'string' && given ? given : randomUUID(), source };
}
