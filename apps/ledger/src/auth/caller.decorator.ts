import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Principal } from './api-key';
import { principalOf } from './api-key.guard';

/** The authenticated caller of an HTTP route. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => principalOf(context.switchToHttp().getRequest()));
