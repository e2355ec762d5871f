import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { acceptedTraceparent, type EventSource } from '@ledger/events';
import { principalOf } from '../auth/api-key.guard';
import { type CallContext } from '@ledger/ledger';

/** Who called over HTTP, under which request id (see requestIdOf) and, when the caller sent a valid one, which trace. */
export const HttpCallContext = createParamDecorator((source: EventSource, context: ExecutionContext): CallContext => {
  const request = context.switchToHttp().getRequest<{ id: string; headers: Record<string, string | string[] | undefined> }>();
  const traceparent = acceptedTraceparent(request.headers.traceparent);
  const cause = { source, apiKeyId: principalOf(request).apiKeyId, requestId: String(request.id) };
  return traceparent === undefined ? cause : { ...cause, traceparent };
});
