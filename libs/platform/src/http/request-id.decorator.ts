import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The request id the logger assigned (see requestIdOf), so events can carry it as their correlation id. */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<{ id?: unknown; raw?: { id?: unknown } }>();
  return String(request.raw?.id ?? request.id ?? 'unknown');
});
