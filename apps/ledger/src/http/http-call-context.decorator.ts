import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { acceptedTraceparent, CALLER_HEADER, DECLARABLE_CALLER, type EventSource, storageCallSource } from '@ledger/events';
import { InvalidRequestError } from '@ledger/platform';
import { principalOf } from '../auth/api-key.guard';
import { type CallContext } from '@ledger/ledger';

/**
 * Who called over HTTP, under which request id (see requestIdOf) and, when the caller sent a valid one, which trace.
 * A storage call may declare with `x-ledger-caller: sdk_adapter` that an SDK adapter made it; any other value is a 400.
 */
export const HttpCallContext = createParamDecorator((route: EventSource, context: ExecutionContext): CallContext => {
  const request = context.switchToHttp().getRequest<{ id: string; headers: Record<string, string | string[] | undefined> }>();
  const traceparent = acceptedTraceparent(request.headers.traceparent);
  const source = route === 'storage_api' ? storageCallSource(request.headers[CALLER_HEADER]) : route;
  if (source === undefined) throw new InvalidRequestError(`${CALLER_HEADER} may only be ${DECLARABLE_CALLER}, or be left out`);
  const cause = { source, apiKeyId: principalOf(request).apiKeyId, requestId: String(request.id) };
  return traceparent === undefined ? cause : { ...cause, traceparent };
});
