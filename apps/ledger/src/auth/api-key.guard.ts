import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, PUBLIC_ROUTE } from '@ledger/platform';
import { allows, bearerToken, type Principal, type Scope } from './api-key';
import { ApiKeysService } from './api-keys.service';
import { REQUIRED_SCOPES } from './require-scopes.decorator';

/** Where the guard leaves the caller for handlers (HTTP request object or gRPC metadata holder). */
export const PRINCIPAL = Symbol('principal');

/**
 * Every route needs a key unless marked public; a route without declared scopes admits only admins,
 * so forgetting a decorator fails closed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets) ?? ['admin'];
    const carrier = carrierOf(context);
    const principal = await this.apiKeys.authenticate(bearerToken(carrier.authorization()));
    if (!allows(principal, required)) throw new ForbiddenError(`this API key lacks the scope ${required.join(' and ')}`);
    carrier.holder[PRINCIPAL] = principal;
    return true;
  }
}

function carrierOf(context: ExecutionContext): { authorization(): string | undefined; holder: Record<symbol, unknown> } {
  if (context.getType() === 'rpc') {
    const metadata = context.switchToRpc().getContext<{ get(key: string): unknown[] }>();
    return { authorization: () => String(metadata.get('authorization')[0] ?? '') || undefined, holder: metadata as never };
  }
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
  return { authorization: () => request.headers.authorization, holder: request as never };
}

export function principalOf(holder: unknown): Principal {
  const principal = (holder as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (!principal) throw new Error('no principal: the route is not behind ApiKeyGuard');
  return principal;
}
